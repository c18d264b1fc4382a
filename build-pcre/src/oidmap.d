build-pcre/src/oidmap.o: src/oidmap.c src/common.h \
 include/gatehouse/errors.h src/oidmap.h
src/common.h:
include/gatehouse/errors.h:
src/oidmap.h:
