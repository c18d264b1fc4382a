build-pcre/src/report.o: src/report.c src/common.h \
 include/gatehouse/errors.h src/report.h src/decide.h src/model.h \
 include/gatehouse/matrix.h src/secret_rules.h src/yamltree.h \
 src/sshsig.h src/push.h src/secrets.h src/newobjs.h src/oidmap.h \
 src/scanner.h
src/common.h:
include/gatehouse/errors.h:
src/report.h:
src/decide.h:
src/model.h:
include/gatehouse/matrix.h:
src/secret_rules.h:
src/yamltree.h:
src/sshsig.h:
src/push.h:
src/secrets.h:
src/newobjs.h:
src/oidmap.h:
src/scanner.h:
