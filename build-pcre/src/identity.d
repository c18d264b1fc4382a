build-pcre/src/identity.o: src/identity.c src/common.h \
 include/gatehouse/errors.h src/identity.h
src/common.h:
include/gatehouse/errors.h:
src/identity.h:
