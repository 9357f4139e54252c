module github.com/avfusion/avfusion

go 1.26.8

require (
	github.com/bluenviron/goroslib/v2 v2.1.4
	github.com/creack/pty v1.1.24
	github.com/dsnet/compress v0.0.1
	github.com/gen2brain/malgo v0.11.24
	github.com/hajimehoshi/go-mp3 v0.3.4
	github.com/pierrec/lz4/v4 v4.1.33
	github.com/tarm/serial v0.0.0-20180830185346-98f6abe2eb07
	go.uber.org/zap v1.28.0
	gocv.io/x/gocv v0.31.0
	golang.org/x/sys v0.50.0
	golang.org/x/term v0.48.0
	gonum.org/v1/gonum v0.17.0
	gonum.org/v1/plot v0.17.0
	gopkg.in/yaml.v3 v3.0.1
)

require (
	codeberg.org/go-fonts/liberation v0.5.0 // indirect
	codeberg.org/go-latex/latex v0.2.0 // indirect
	codeberg.org/go-pdf/fpdf v0.11.1 // indirect
	git.sr.ht/~sbinet/gg v0.7.0 // indirect
	github.com/ajstarks/svgo v0.0.0-20211024235047-1546f124cd8b // indirect
	github.com/golang/freetype v0.0.0-20170609003504-e2365dfdc4a0 // indirect
	github.com/gookit/color v1.5.4 // indirect
	github.com/xo/terminfo v0.0.0-20210125001918-ca9a967f8778 // indirect
	go.uber.org/multierr v1.10.0 // indirect
	golang.org/x/image v0.30.0 // indirect
	golang.org/x/text v0.28.0 // indirect
	golang.org/x/tools v0.36.0 // indirect
)
