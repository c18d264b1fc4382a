build-pcre/src/decide.o: src/decide.c src/decide.h src/model.h \
 src/common.h include/gatehouse/errors.h include/gatehouse/matrix.h \
 src/secret_rules.h src/yamltree.h src/sshsig.h src/push.h
src/decide.h:
src/model.h:
src/common.h:
include/gatehouse/errors.h:
include/gatehouse/matrix.h:
src/secret_rules.h:
src/yamltree.h:
src/sshsig.h:
src/push.h:
