build-pcre/src/commits.o: src/commits.c src/commits.h src/model.h \
 src/common.h include/gatehouse/errors.h include/gatehouse/matrix.h \
 src/secret_rules.h src/yamltree.h src/sshsig.h src/push.h src/trailers.h \
 src/treediff.h
src/commits.h:
src/model.h:
src/common.h:
include/gatehouse/errors.h:
include/gatehouse/matrix.h:
src/secret_rules.h:
src/yamltree.h:
src/sshsig.h:
src/push.h:
src/trailers.h:
src/treediff.h:
