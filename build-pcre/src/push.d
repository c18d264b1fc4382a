build-pcre/src/push.o: src/push.c src/common.h include/gatehouse/errors.h \
 src/push.h
src/common.h:
include/gatehouse/errors.h:
src/push.h:
