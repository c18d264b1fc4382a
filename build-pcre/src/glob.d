build-pcre/src/glob.o: src/glob.c src/common.h include/gatehouse/errors.h \
 src/glob.h
src/common.h:
include/gatehouse/errors.h:
src/glob.h:
