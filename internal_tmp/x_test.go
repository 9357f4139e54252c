package cvt
import ("testing"; "gocv.io/x/gocv")
func TestBad(t *testing.T){
 for _, s := range []string{"videotestsrc num-buffers=5 ! video/x-raw,width=320,height=240 ! videoconvert ! appsink", "nosuchelement ! appsink"} {
  vc, err := gocv.OpenVideoCaptureWithAPI(s, gocv.VideoCaptureGstreamer)
  t.Log(s, err, vc != nil && vc.IsOpened())
  if err == nil { m := gocv.NewMat(); n := 0; for vc.Read(&m) { n++ }; t.Log("frames", n, m.Cols()) }
 }
 vc, err := gocv.OpenVideoCaptureWithAPI("/work/main/go.mod", gocv.VideoCaptureFFmpeg); t.Log("gomod", err, vc.IsOpened())
 vc, err = gocv.OpenVideoCapture(7); t.Log("dev7", err)
 t.Log(gocv.VideoCaptureGstreamer)
}
