# SPDX-License-Identifier: GPL-2.0
#
# bench/plots.gp: the PNG plots of a make bench run, from the data files
# bench/report.py wrote under DIR/plot/. Usage: gnuplot -e "dir='DIR'" plots.gp

load dir.'/plot/meta.gp'
set terminal pngcairo size 900,480 font ",10" noenhanced
set grid ytics
set key top right
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.7 border -1
set boxwidth 0.9
set xtics nomirror rotate by -20
set yrange [0:*]

do for [s in sizes] {
	set output dir.'/throughput-'.s.'M.png'
	set title 'Throughput, '.s.' MiB transfers (median, bars: min-max)'
	set ylabel 'MB/s (10^6 B/s)'
	plot dir.'/plot/throughput-'.s.'.dat' using 2:3:4:xtic(1) title 'write', \
	     '' using 5:6:7 title 'sendfile'
	set output dir.'/cpu-'.s.'M.png'
	set title 'Whole-VM CPU seconds per GB, '.s.' MiB transfers'
	set ylabel 'CPU s / 10^9 B'
	plot dir.'/plot/cpu-'.s.'.dat' using 2:3:4:xtic(1) title 'write', \
	     '' using 5:6:7 title 'sendfile'
}

# a run of some sections only (BENCH_SECTIONS) has no installation data
if (have_install) {
	set output dir.'/install.png'
	set title 'kTLS installation latency per setsockopt (median of runs, bars: min-max)'
	set ylabel 'microseconds'
	plot dir.'/plot/install.dat' using 2:3:4:xtic(1) title 'TLS_TX', \
	     '' using 5:6:7 title 'TLS_RX'
}

set style data linespoints
set xtics norotate
if (words(loss_modes) > 0) {
	set output dir.'/loss.png'
	set title 'Throughput under netem loss (median)'
	set xlabel 'loss (%)'
	set ylabel 'MB/s'
	set logscale x
	set xrange [0.05:*]
	# 0 % is drawn at 0.05 on the log axis
	plot for [i=1:words(loss_modes)] dir.'/plot/loss.dat' \
		using ($1 > 0 ? $1 : 0.05):(column(i + 1)) title word(loss_modes, i) lw 2
	unset logscale x
	set xrange [*:*]
}

if (words(sizes) > 1) {
	set output dir.'/size.png'
	set title 'Throughput by transfer size (write, median)'
	set xlabel 'MiB'
	set ylabel 'MB/s'
	set logscale x
	plot for [i=1:words(modes)] dir.'/plot/size.dat' \
		using 1:(column(i + 1)) title word(modes, i) lw 2
}
