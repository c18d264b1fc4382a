build-pcre/src/scanner.o: src/scanner.c src/scanner.h src/secret_rules.h \
 src/common.h include/gatehouse/errors.h src/yamltree.h
src/scanner.h:
src/secret_rules.h:
src/common.h:
include/gatehouse/errors.h:
src/yamltree.h:
