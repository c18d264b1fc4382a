build-pcre/src/evidence.o: src/evidence.c src/evidence.h src/commits.h \
 src/model.h src/common.h include/gatehouse/errors.h \
 include/gatehouse/matrix.h src/secret_rules.h src/yamltree.h \
 src/sshsig.h src/push.h src/trailers.h src/decide.h src/glob.h
src/evidence.h:
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
src/decide.h:
src/glob.h:
