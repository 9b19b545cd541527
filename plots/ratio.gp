# Ratio new/base per compared point with its 95% confidence interval, one
# line per point, coloured by verdict (Okabe-Ito: colour-blind safe); the
# shaded band is the threshold.
# gupbench passes: datafile, npoints, outbase, plottitle, lo_t, hi_t, and
# xmin, xmax: the intervals, 1 and the band, with a margin (not decades).
# Data columns: index ratio ci_lo ci_hi verdict "label".

set logscale x
set xrange [xmin:xmax]
# ticks at round ratios inside the range, xticpos/xticlab (a log axis this narrow has no decades)
set xtics ()
do for [k = 1:words(xticpos)] { set xtics add (word(xticlab, k) real(word(xticpos, k))) }
set xlabel "ratio new / base (log scale; left of 1: new is faster)"
set title plottitle noenhanced
set ytics scale 0 font ",8" noenhanced
set yrange [npoints:-1]
set grid xtics lc rgb "#dddddd"
set key outside right top noenhanced
set object 1 rectangle from lo_t, graph 0 to hi_t, graph 1 behind fc rgb "#eeeeee" fs solid noborder
set arrow 1 from 1, graph 0 to 1, graph 1 nohead lc rgb "#888888"

height = 120 + 16 * npoints
sel(v) = (strcol(5) eq v) ? $2 : 1/0

do for [term in "pngcairo svg"] {
	if (term eq "pngcairo") {
		set terminal pngcairo size 1100,height noenhanced font ",9"
		set output outbase.".png"
	} else {
		set terminal svg size 1100,height noenhanced font ",9"
		set output outbase.".svg"
	}
	plot datafile using (sel("regression")):1:3:4:ytic(6) with xerrorbars pt 7 lc rgb "#D55E00" title "regression", \
	     datafile using (sel("improvement")):1:3:4 with xerrorbars pt 7 lc rgb "#009E73" title "improvement", \
	     datafile using (sel("unchanged")):1:3:4 with xerrorbars pt 7 lc rgb "#555555" title "unchanged", \
	     datafile using (sel("inconclusive")):1:3:4 with xerrorbars pt 6 lc rgb "#E69F00" title "inconclusive"
	unset output
}
