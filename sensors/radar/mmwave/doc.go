// Package mmwave drives a Texas Instruments mmWave radar (IWR6843, IWR1843,
// IWR1642 and the AWR parts) running the mmWave SDK out-of-box demo: it
// parses the UART data-port stream (frame header, TLVs, 32-byte padding),
// uploads a .cfg file over the CLI port, and reads frames from a device
// over two serial ports it does not own.
//
// The output format is documented by TI in the mmWave SDK user guide and
// the "Understanding UART Data Output Format" note of the mmWave Industrial
// Toolbox (https://dev.ti.com/tirex/explore/node?node=A__ADnbI7zK9bSRgZqeAxprvQ__radar_toolbox__1AslXXD__LATEST).
// Every frame starts with the magic word 02 01 04 03 06 05 08 07, followed
// by eight little-endian uint32 (version, total packet length, platform,
// frame number, CPU cycle time, detected objects, TLV count, sub-frame),
// then TLVs (uint32 type, uint32 payload length, payload), the whole
// packet padded to a multiple of 32 bytes.
package mmwave
