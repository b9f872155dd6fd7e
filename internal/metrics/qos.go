package metrics

// Call-quality classes of SPEC.md §3 (JITTER, PERDA DE PACOTE, QUALIDADE DE
// CHAMADA). "Alta" is the best quality, "Baixa" the worst.
const (
	QualityHigh   = "Alta"
	QualityMedium = "Média"
	QualityLow    = "Baixa"
)

// JitterClass: "Alta" < 70 ms; "Média" 70 ≤ x < 151 (70–150.999); "Baixa" ≥ 151.
func JitterClass(ms float64) string {
	switch {
	case ms < 70:
		return QualityHigh
	case ms < 151:
		return QualityMedium
	default:
		return QualityLow
	}
}

// PacketLossClass: "Alta" ≤ 1 %; "Média" > 1 % and ≤ 5 %; "Baixa" > 5 %.
func PacketLossClass(pct float64) string {
	switch {
	case pct <= 1:
		return QualityHigh
	case pct <= 5:
		return QualityMedium
	default:
		return QualityLow
	}
}

var qualityRank = map[string]int{QualityHigh: 0, QualityMedium: 1, QualityLow: 2}

// CallQuality is the worse of the known classes; "" when neither is known.
func CallQuality(jitter, loss *float64) string {
	q := ""
	for _, c := range []string{classOf(jitter, JitterClass), classOf(loss, PacketLossClass)} {
		if c != "" && (q == "" || qualityRank[c] > qualityRank[q]) {
			q = c
		}
	}
	return q
}

func classOf(v *float64, class func(float64) string) string {
	if v == nil {
		return ""
	}
	return class(*v)
}
