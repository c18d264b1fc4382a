build-pcre/src/audit.o: src/audit.c src/audit.h src/decide.h src/model.h \
 src/common.h include/gatehouse/errors.h include/gatehouse/matrix.h \
 src/secret_rules.h src/yamltree.h src/sshsig.h src/push.h src/secrets.h \
 src/newobjs.h src/oidmap.h src/scanner.h include/gatehouse/gatehouse.h \
 include/gatehouse/run.h
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
include/gatehouse/gatehouse.h:
include/gatehouse/run.h:
