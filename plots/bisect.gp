# A bisection's kernels: the deciding number of each measured kernel (the
# worst point's ratio new/base with its 95% CI, or the behaviour item's
# value) against its place in the range, oldest first. Good and bad in the
# figures' colours (Okabe-Ito); a skipped kernel, an open circle on the good
# end's value. gupbench passes datafile, nblocks, outbase, plottitle, xlab,
# ylab, ylog, ymin, ymax, yticpos, yticlab (round ratios), lo_t, hi_t (the threshold band,
# ratios only), npos.
# Data: x value ci_lo ci_hi verdict "revision".

if (ylog) {
	set logscale y
	set ytics () format "%g"
	do for [k = 1:words(yticpos)] { set ytics add (word(yticlab, k) real(word(yticpos, k))) }
	set object 1 rectangle from graph 0, first lo_t to graph 1, first hi_t behind \
		fc rgb "#eeeeee" fs solid noborder
	set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb "#888888"
}
set yrange [ymin:ymax]
set xrange [-0.5:npos - 0.5]
set xlabel xlab noenhanced
set ylabel ylab noenhanced
set title plottitle noenhanced
set key outside right top noenhanced
set grid ytics lc rgb "#e4e4e4"
set xtics rotate by -40 noenhanced

sel(v) = (strcol(5) eq v) ? $2 : 1/0

do for [term in "pngcairo svg"] {
	if (term eq "pngcairo") {
		set terminal pngcairo size 1100,550 noenhanced font "DejaVu Sans,10"
		set output outbase.".png"
	} else {
		set terminal svg size 1100,550 noenhanced font "DejaVu Sans,10"
		set output outbase.".svg"
	}
	plot datafile using 1:(sel("good")):3:4:xtic(6) with yerrorbars pt 7 ps 1.2 lc rgb "#009E73" title "good", \
	     datafile using 1:(sel("bad")):3:4:xtic(6) with yerrorbars pt 7 ps 1.2 lc rgb "#D55E00" title "bad", \
	     datafile using 1:(sel("skip")):xtic(6) with points pt 6 ps 1.6 lc rgb "#777777" title "skip"
	unset output
}
