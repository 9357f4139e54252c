package mmwave

// BuildPacket appends to dst one frame with header h around the TLV bytes
// body, filling in the magic word and the total length and padding to a
// multiple of 32 bytes as the demo does. The emulator and tests use it.
func BuildPacket(dst []byte, h Header, body []byte) []byte {
	n := HeaderLen + len(body)
	n += (paddingUnit - n%paddingUnit) % paddingUnit
	h.TotalPacketLen = uint32(n)
	start := len(dst)
	dst = append(dst, Magic[:]...)
	for _, v := range []uint32{h.Version, h.TotalPacketLen, h.Platform, h.FrameNumber, h.TimeCPUCycles, h.NumDetectedObj, h.NumTLVs, h.SubFrameNumber} {
		dst = le.AppendUint32(dst, v)
	}
	dst = append(dst, body...)
	for len(dst)-start < n {
		dst = append(dst, 0)
	}
	return dst
}
