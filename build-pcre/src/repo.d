build-pcre/src/repo.o: src/repo.c src/common.h include/gatehouse/errors.h \
 src/repo.h
src/common.h:
include/gatehouse/errors.h:
src/repo.h:
