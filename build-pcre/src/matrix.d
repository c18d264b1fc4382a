build-pcre/src/matrix.o: src/matrix.c src/glob.h src/model.h src/common.h \
 include/gatehouse/errors.h include/gatehouse/matrix.h src/secret_rules.h \
 src/yamltree.h src/sshsig.h
src/glob.h:
src/model.h:
src/common.h:
include/gatehouse/errors.h:
include/gatehouse/matrix.h:
src/secret_rules.h:
src/yamltree.h:
src/sshsig.h:
