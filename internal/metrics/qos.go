package metrics

import "strconv"

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

// qualityValues maps a class to the value of the Rastreio's call_quality
// filter and of the legs' call_quality column (model.CallQualities).
var qualityValues = map[string]string{QualityHigh: "alta", QualityMedium: "media", QualityLow: "baixa"}

// QualityValue is the call_quality value of a class as QUALIDADE DE CHAMADA
// prints it: "alta", "media" or "baixa"; "" for an unknown class (the empty
// cell), so the column and the cell always agree.
func QualityValue(class string) string { return qualityValues[class] }

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

// EstimatedMOS is MOS ESTIMADO (SPEC.md §3, Voz): the ITU-T G.107 E-model
// in the simplified form network monitors use (Cole & Rosenbluth, 2001),
// from the call's delay, jitter and loss:
//
//	effective latency  Le = one-way delay + 2 × jitter + 10 ms (codec)
//	                        (one-way delay = RTT / 2; 0 when RTT is unknown)
//	R = 93.2 − Le/40             when Le < 160 ms
//	R = 93.2 − (Le − 120)/10     otherwise
//	R = R − 2.5 × loss %
//	MOS = 1 + 0.035 R + 7·10⁻⁶ R (R − 60)(100 − R), clamped to 1.0–4.5
//
// Decision: jitter and loss are needed (they are what Asterisk's RTCP
// statistics always carry); without either the estimate is unknown (nil).
// RTT is often missing or absurd in real RTCP data (the 2009 samples'
// rtt=14818.7): a missing RTT counts as no delay, and an RTT over 10 s is
// treated as missing.
func EstimatedMOS(rttMs, jitterMs, lossPct *float64) *float64 {
	if jitterMs == nil || lossPct == nil {
		return nil
	}
	delay := 0.0
	if rttMs != nil && *rttMs <= 10_000 {
		delay = *rttMs / 2
	}
	le := delay + 2*(*jitterMs) + 10
	var r float64
	if le < 160 {
		r = 93.2 - le/40
	} else {
		r = 93.2 - (le-120)/10
	}
	r -= 2.5 * (*lossPct)
	var mos float64
	switch {
	case r <= 0:
		mos = 1
	case r >= 100:
		mos = 4.5
	default:
		mos = 1 + 0.035*r + 7e-6*r*(r-60)*(100-r)
	}
	mos = min(max(mos, 1), 4.5)
	return &mos
}

// FormatMOS prints a MOS with one decimal and a decimal comma ("4,4"),
// rounded half up; "" when unknown.
func FormatMOS(mos *float64) string {
	if mos == nil {
		return ""
	}
	tenths := int(*mos*10 + 0.5 + 1e-9)
	return strconv.Itoa(tenths/10) + "," + strconv.Itoa(tenths%10)
}
