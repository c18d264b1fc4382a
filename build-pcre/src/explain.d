build-pcre/src/explain.o: src/explain.c src/decide.h src/model.h \
 src/common.h include/gatehouse/errors.h include/gatehouse/matrix.h \
 src/secret_rules.h src/yamltree.h src/sshsig.h src/push.h src/evidence.h \
 src/commits.h src/trailers.h src/explain.h
src/decide.h:
src/model.h:
src/common.h:
include/gatehouse/errors.h:
include/gatehouse/matrix.h:
src/secret_rules.h:
src/yamltree.h:
src/sshsig.h:
src/push.h:
src/evidence.h:
src/commits.h:
src/trailers.h:
src/explain.h:
