build-pcre/src/scancmd.o: src/scancmd.c src/common.h \
 include/gatehouse/errors.h include/gatehouse/gatehouse.h \
 include/gatehouse/matrix.h include/gatehouse/run.h src/repo.h \
 src/secrets.h src/model.h src/secret_rules.h src/yamltree.h src/sshsig.h \
 src/newobjs.h src/oidmap.h src/push.h src/scanner.h
src/common.h:
include/gatehouse/errors.h:
include/gatehouse/gatehouse.h:
include/gatehouse/matrix.h:
include/gatehouse/run.h:
src/repo.h:
src/secrets.h:
src/model.h:
src/secret_rules.h:
src/yamltree.h:
src/sshsig.h:
src/newobjs.h:
src/oidmap.h:
src/push.h:
src/scanner.h:
