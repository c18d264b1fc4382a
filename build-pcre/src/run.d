build-pcre/src/run.o: src/run.c src/audit.h src/decide.h src/model.h \
 src/common.h include/gatehouse/errors.h include/gatehouse/matrix.h \
 src/secret_rules.h src/yamltree.h src/sshsig.h src/push.h src/secrets.h \
 src/newobjs.h src/oidmap.h src/scanner.h src/commits.h src/trailers.h \
 src/evidence.h src/explain.h include/gatehouse/gatehouse.h \
 include/gatehouse/run.h src/identity.h src/repo.h src/report.h
src/audit.h:
src/decide.h:
src/model.h:
src/common.h:
include/gatehouse/errors.h:
include/gatehouse/matrix.h:
src/secret_rules.h:
src/yamltree.h:
src/sshsig.h:
src/push.h:
src/secrets.h:
src/newobjs.h:
src/oidmap.h:
src/scanner.h:
src/commits.h:
src/trailers.h:
src/evidence.h:
src/explain.h:
include/gatehouse/gatehouse.h:
include/gatehouse/run.h:
src/identity.h:
src/repo.h:
src/report.h:
