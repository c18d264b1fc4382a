#!/usr/bin/env bash
# make lint: the library never prints.
#
# Everything under src/ reports through structures and through an output
# sink its caller passes in (include/gatehouse/sink.h); the hooks and the CLI
# decide what reaches stdout and stderr.  This check fails, printing
# FILE:LINE: CALL for each offence, when a file under src/ other than the
# sink module (src/output/sink.c) either
#   - calls a stdio output function: printf, fprintf, vprintf, vfprintf,
#     dprintf, vdprintf, puts, fputs, putc, putchar, fputc, fwrite, perror
#     (snprintf and vsnprintf format into memory and are fine), or
#   - names stdout, stderr, STDOUT_FILENO or STDERR_FILENO.
# Comments and string literals are ignored.
#
# What is not printing, and so allowed: write(2) to a file the library opens
# itself and owns (the audit log, the override ledger, the push record, the
# watchdog's record, the metrics file, the scanner's rule cache) and to the
# pipe of an external policy command; reading (stdin for `gatehouse report -`,
# fread).  A FILE * the library opens itself is written through the sink
# module (gate_sink_file) or not at all.
#
# One exception, by file: the watchdog's SIGALRM handler
# (src/engine/watchdog.c) writes its rejection to STDERR_FILENO with write(2),
# because a signal handler may only make async-signal-safe calls and no sink
# is one.
set -u
cd "$(dirname "$0")/.." || exit 2
find src -name '*.c' -o -name '*.h' | LC_ALL=C sort | perl -e '
	my $bad = 0;
	my $calls = qr/\b(printf|fprintf|vprintf|vfprintf|dprintf|vdprintf|puts|fputs|putc|putchar|fputc|fwrite|perror)\s*\(/;
	my $names = qr/\b(stdout|stderr|STDOUT_FILENO|STDERR_FILENO)\b/;
	my %allow = ("src/engine/watchdog.c" => qr/^STDERR_FILENO$/);
	while (my $file = <STDIN>) {
		chomp $file;
		next if $file eq "src/output/sink.c" || $file eq "src/output/sink.h";
		open(my $fh, "<", $file) or die "$file: $!\n";
		local $/;
		my $text = <$fh>;
		close $fh;
		# blank out comments and string and character literals, keeping the newlines
		$text =~ s{(/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|'\''(?:\\.|[^'\''\\\n])*'\'')}{
			my $m = $1; (my $k = $m) =~ s/[^\n]/ /g;
			$m =~ /^["'\'']/ ? substr($m, 0, 1) . substr($k, 1, -1) . substr($m, -1) : $k
		}gse;
		my $n = 0;
		for my $line (split /\n/, $text, -1) {
			$n++;
			while ($line =~ /$calls|$names/g) {
				my $what = defined $1 ? "$1()" : $2;
				next if exists $allow{$file} && $what =~ $allow{$file};
				print "$file:$n: $what: the library never prints; write through a gate_sink (output/sink.h)\n";
				$bad = 1;
			}
		}
	}
	exit $bad;
'
