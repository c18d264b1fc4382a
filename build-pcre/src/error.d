build-pcre/src/error.o: src/error.c src/common.h \
 include/gatehouse/errors.h
src/common.h:
include/gatehouse/errors.h:
