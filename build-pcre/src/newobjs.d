build-pcre/src/newobjs.o: src/newobjs.c src/common.h \
 include/gatehouse/errors.h src/newobjs.h src/oidmap.h src/push.h
src/common.h:
include/gatehouse/errors.h:
src/newobjs.h:
src/oidmap.h:
src/push.h:
