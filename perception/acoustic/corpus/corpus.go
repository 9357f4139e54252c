// Package corpus is the real sound the acoustic classifier is trained
// and tested on: recordings made by other people, shipped in Debian
// packages (games and educational software), each labelled siren, horn
// or background and put in the training or the test split by recording.
// `make sounds` downloads the packages with apt-get and unpacks their
// sound files into .cache/sounds; nothing is fetched at run time.
package corpus

import (
	"cmp"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/avfusion/avfusion/perception/acoustic"
	"github.com/avfusion/avfusion/sensors/mic"
)

// Split says what a recording is used for.
type Split int

// The splits: a recording is in exactly one, and so is every recording
// of its group (variants of one sound, cut from one original). External
// recordings come from a package issue #20 did not name and are never
// trained on nor used to choose a model: a check from elsewhere.
const (
	Train Split = iota
	Test
	External
	NumSplits
)

func (s Split) String() string { return [...]string{"train", "test", "external"}[s] }

// Recording is one labelled sound file, or one clip of OpenTTD's sound
// container.
type Recording struct {
	Package string
	// Path is the file's path inside the package.
	Path string
	// Entry is the clip's index when Path is OpenTTD's sound container
	// (opensfx.cat); other files ignore it.
	Entry int
	Class int
	// Group names the original recording: the same for variants of one
	// sound, which always share a split.
	Group string
	Split Split
	// Title is what the recording is, for reports.
	Title string
}

// Name identifies the recording in reports.
func (r Recording) Name() string {
	if r.inContainer() {
		return fmt.Sprintf("%s/%s#%d", r.Package, filepath.Base(r.Path), r.Entry)
	}
	return r.Package + "/" + filepath.Base(r.Path)
}

// inContainer reports whether the recording is a clip of opensfx.cat.
func (r Recording) inContainer() bool { return r.Path == openttd }

// Packages are the Debian packages the sound comes from, with the
// versions the shipped weights were trained on.
var Packages = []string{
	"heroes-sound-effects=1.0-6",
	"lincity-ng-data=2.9~git20150314-5",
	"micropolis-data=0.0.20071228-10",
	"moon-lander-data=1:1.0-9",
	"openttd-opensfx=1.0.3-2",
	"qabcs-data=1.0.2-6",
	"scorched3d-data=44+dfsg-8",
	"scratch=1.4.0.6~dfsg1-6.1",
	"simutrans-pak64=121.0-1",
	"sumo-tools=1.15.0+dfsg-1+deb12u1",
	"trophy-data=2.0.3-2",
	"triplea=1.9.0.0.7062-2",
	"tuxpaint-stamps-default=2022.06.04-1",
}

// Where the packages keep their sound.
const (
	lincity   = "usr/share/games/lincity-ng/sounds/"
	scorched  = "usr/share/games/scorched3d/data/globalmods/"
	openttd   = "usr/share/games/openttd/baseset/opensfx/opensfx.cat"
	tripleaSn = "usr/share/games/triplea/assets/sounds/"
	micro     = "usr/share/games/micropolis/res/sounds/"
	heroes    = "usr/share/games/heroes/sfx/"
)

// labelled are the sirens and horns, each group's split chosen by hand
// before any training so that both splits hold several kinds (an
// external package's are in the External split); every other sound file
// of the background directories is background.
var labelled = []Recording{
	{Package: "lincity-ng-data", Path: lincity + "FireStation3.wav", Class: acoustic.Siren, Title: "mechanical wind-up siren"},
	{Package: "lincity-ng-data", Path: lincity + "Health3.wav", Class: acoustic.Siren, Split: Test, Title: "hi-lo ambulance siren"},
	{Package: "lincity-ng-data", Path: lincity + "Health4.wav", Class: acoustic.Siren, Title: "wail siren"},
	{Package: "scorched3d-data", Path: scorched + "apoc/data/wav/misc/policecar.wav", Class: acoustic.Siren, Split: Test, Title: "police car siren"},
	{Package: "scorched3d-data", Path: scorched + "apoc/data/wav/misc/firetruck.wav", Class: acoustic.Siren, Title: "fire engine wail"},
	{Package: "triplea", Path: tripleaSn + "generic/game_start/game_start_01_air_raid_alarm.mp3", Class: acoustic.Siren, Group: "air raid", Title: "air-raid siren"},
	{Package: "triplea", Path: tripleaSn + "generic/required_your_turn_series/required_your_turn_series_01_air_raid_alarm.mp3", Class: acoustic.Siren, Group: "air raid", Title: "air-raid siren"},

	{Package: "sumo-tools", Path: "usr/share/sumo/tools/game/sounds/car_horn1.wav", Class: acoustic.Horn, Split: Test, Title: "car horn"},
	{Package: "sumo-tools", Path: "usr/share/sumo/tools/game/sounds/car_horn2.wav", Class: acoustic.Horn, Split: Test, Title: "car horn"},
	{Package: "sumo-tools", Path: "usr/share/sumo/tools/game/sounds/car_horn3.wav", Class: acoustic.Horn, Split: Test, Title: "car horn"},
	{Package: "trophy-data", Path: "usr/share/games/trophy/sounds/carhorn.wav", Class: acoustic.Horn, Split: Test, Title: "car horn"},
	{Package: "moon-lander-data", Path: "usr/share/games/moon-lander/sounds/honk.wav", Class: acoustic.Horn, Title: "car honk"},
	{Package: "openttd-opensfx", Path: openttd, Entry: 35, Class: acoustic.Horn, Title: "modern car horn"},
	{Package: "openttd-opensfx", Path: openttd, Entry: 26, Class: acoustic.Horn, Group: "opensfx truck start", Title: "truck pulling away with its air horn"},
	// scorched3d-data's horns: two or three originals, each cut several
	// ways; one group.
	{Package: "scorched3d-data", Path: scorched + "apoc/data/wav/misc/carhorn1.wav", Class: acoustic.Horn, Group: "scorched3d-data/carhorn", Title: "car horn"},
	{Package: "scorched3d-data", Path: scorched + "apoc/data/wav/misc/carhorn2.wav", Class: acoustic.Horn, Group: "scorched3d-data/carhorn", Title: "car horn"},
	{Package: "scorched3d-data", Path: scorched + "apoc/data/wav/misc/carhorn3.wav", Class: acoustic.Horn, Group: "scorched3d-data/carhorn", Title: "car horn"},
	{Package: "scorched3d-data", Path: scorched + "apoc/data/wav/misc/carhorn4.wav", Class: acoustic.Horn, Group: "scorched3d-data/carhorn", Title: "car horn"},
	{Package: "scorched3d-data", Path: scorched + "apoc/data/wav/misc/carhorn5.wav", Class: acoustic.Horn, Group: "scorched3d-data/carhorn", Title: "car horn"},
	{Package: "scorched3d-data", Path: scorched + "apoc/data/wav/misc/carhorn6.wav", Class: acoustic.Horn, Group: "scorched3d-data/carhorn", Title: "car horn"},

	// The external check. Micropolis (SimCity): its police.wav is a
	// voice saying "police" (pitch 100-400 Hz and a closing sibilant),
	// background; its heavy traffic, background.
	{Package: "micropolis-data", Path: micro + "siren.wav", Class: acoustic.Siren, Title: "siren winding down over an engine"},
	{Package: "micropolis-data", Path: micro + "honkhonk-hi.wav", Class: acoustic.Horn, Group: "micropolis-data/honkhonk", Title: "double car honk (μ-law)"},
	{Package: "micropolis-data", Path: micro + "honkhonk-high.wav", Class: acoustic.Horn, Group: "micropolis-data/honkhonk", Title: "double car honk"},
	{Package: "micropolis-data", Path: micro + "honkhonk-med.wav", Class: acoustic.Horn, Group: "micropolis-data/honkhonk", Title: "double car honk"},
	{Package: "micropolis-data", Path: micro + "honkhonk-low.wav", Class: acoustic.Horn, Group: "micropolis-data/honkhonk", Title: "double car honk"},
	// Tux Paint's fire-engine stamp (the package's only sound taken) and
	// the Heroes game's klaxon, its other effects background.
	{Package: "tuxpaint-stamps-default", Path: "usr/share/tuxpaint/stamps/vehicles/emergency/firetruck.ogg", Class: acoustic.Siren, Title: "fire engine wail, winding down"},
	{Package: "heroes-sound-effects", Path: heroes + "claxon.wav", Class: acoustic.Horn, Title: "two-tone klaxon"},
}

// unlabelled are sound files in the background directories that are not
// clearly background, nor clearly a siren or horn: left out.
// (package/path).
var unlabelled = []string{
	"lincity-ng-data/" + lincity + "FireStation1.wav", "lincity-ng-data/" + lincity + "FireStation2.wav", // a fire station's bustle, a siren in it or not
	"lincity-ng-data/" + lincity + "Health1.wav", "lincity-ng-data/" + lincity + "Health2.wav", "lincity-ng-data/" + lincity + "Health5.wav",
	"qabcs-data/usr/share/qabcs/abcs/all/noises/horn.ogg", // which horn, unknown
	"qabcs-data/usr/share/qabcs/abcs/all/noises/fire.ogg",
}

// backgroundDirs are directories whose other sound files are
// background: traffic, machines, animals, weather, music, voices.
var backgroundDirs = []struct{ pkg, dir string }{
	{"lincity-ng-data", lincity},
	{"scorched3d-data", scorched + "apoc/data/wav/misc/"},
	{"scorched3d-data", scorched + "none/data/wav/misc/"},
	{"scratch", "usr/share/scratch/Media/Sounds/"},
	{"simutrans-pak64", "usr/share/games/simutrans/pak/sound/"},
	{"trophy-data", "usr/share/games/trophy/sounds/"},
	{"moon-lander-data", "usr/share/games/moon-lander/sounds/"},
	{"qabcs-data", "usr/share/qabcs/abcs/all/noises/"},
	{"micropolis-data", micro},
	{"heroes-sound-effects", heroes},
}

// externalPackages are the packages whose every recording, labelled or
// not, is in the External split.
var externalPackages = []string{"micropolis-data", "heroes-sound-effects", "tuxpaint-stamps-default"}

// Entries of opensfx.cat left out: empty ones, and toy horns (a bike
// horn, a squeaky one) that are neither a road horn nor background.
var opensfxLeftOut = []int{34, 50, 60, 62, 63}

// The group of opensfx.cat entries cut from one original.
var opensfxGroups = map[int]string{25: "opensfx truck start", 26: "opensfx truck start", 28: "opensfx old bus start",
	27: "opensfx modern bus", 64: "opensfx modern bus", 4: "opensfx steam horn", 5: "opensfx steam horn",
	9: "opensfx jet departs", 70: "opensfx jet departs", 52: "opensfx wind", 57: "opensfx wind",
	17: "opensfx crash", 19: "opensfx crash", 41: "opensfx sugar mine", 45: "opensfx sugar mine"}

// trailingDigits finds a numbered variant's number (TraficHigh2.wav).
var trailingDigits = regexp.MustCompile(`[_\-]?\d+$`)

// Dir finds the unpacked packages: $AVFUSION_SOUNDS, else .cache/sounds
// in the working directory or a parent of it.
func Dir() (string, error) {
	if d := os.Getenv("AVFUSION_SOUNDS"); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		p := filepath.Join(d, ".cache", "sounds")
		if _, err := os.Stat(filepath.Join(p, ".unpacked")); err == nil {
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("corpus: the real recordings are not installed: run `make sounds` (looked for .cache/sounds up from the working directory and $AVFUSION_SOUNDS)")
		}
	}
}

// List returns every recording of the corpus under dir, sorted by name:
// the labelled ones, then the background directories' files and the
// opensfx container's clips, each background group in the split of the
// labelled recording cut from the same original, else in the test split
// when its name hashes so (about one in four).
func List(dir string) ([]Recording, error) {
	recs := slices.Clone(labelled)
	taken := map[string]bool{}
	// A labelled group's split holds for background cut from the same
	// original (the truck starting without its horn).
	groupSplit := map[string]Split{}
	for i := range recs {
		if slices.Contains(externalPackages, recs[i].Package) {
			recs[i].Split = External
		}
		if recs[i].Group == "" {
			recs[i].Group = recs[i].Package + "/" + strings.TrimSuffix(filepath.Base(recs[i].Path), filepath.Ext(recs[i].Path))
		}
		groupSplit[recs[i].Group] = recs[i].Split
		taken[recs[i].Package+"/"+recs[i].Path] = true
	}
	for _, p := range unlabelled {
		taken[p] = true
	}
	background := func(pkg, path string, entry int, group, title string) Recording {
		split, ok := groupSplit[group]
		switch {
		case slices.Contains(externalPackages, pkg):
			split = External
		case !ok:
			split = hashSplit(group)
		}
		return Recording{Package: pkg, Path: path, Entry: entry, Class: acoustic.Background, Group: group, Split: split, Title: title}
	}
	for _, bd := range backgroundDirs {
		root := filepath.Join(dir, bd.pkg)
		err := filepath.WalkDir(filepath.Join(root, bd.dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			ext := strings.ToLower(filepath.Ext(p))
			if ext != ".wav" && ext != ".ogg" && ext != ".mp3" {
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			if taken[bd.pkg+"/"+rel] {
				return nil
			}
			base := strings.TrimSuffix(filepath.Base(rel), filepath.Ext(rel))
			recs = append(recs, background(bd.pkg, rel, 0, bd.pkg+"/"+filepath.Dir(rel)+"/"+trailingDigits.ReplaceAllString(base, ""), base))
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("corpus: %w (run `make sounds`)", err)
		}
	}
	titles, err := catTitles(filepath.Join(dir, "openttd-opensfx", openttd))
	if err != nil {
		return nil, fmt.Errorf("corpus: %w (run `make sounds`)", err)
	}
	for i, title := range titles {
		if slices.Contains(opensfxLeftOut, i) || slices.ContainsFunc(labelled, func(r Recording) bool { return r.inContainer() && r.Entry == i }) {
			continue
		}
		recs = append(recs, background("openttd-opensfx", openttd, i, cmp.Or(opensfxGroups[i], fmt.Sprintf("opensfx %d", i)), title))
	}
	slices.SortFunc(recs, func(a, b Recording) int { return cmp.Compare(a.Name(), b.Name()) })
	return recs, nil
}

// hashSplit puts one background group in four in the test split.
func hashSplit(group string) Split {
	h := fnv.New32a()
	h.Write([]byte(group))
	if h.Sum32()%4 == 0 {
		return Test
	}
	return Train
}

// Load reads a recording as mono sound at the classifier's rate.
func Load(dir string, r Recording) ([]float64, error) {
	path := filepath.Join(dir, r.Package, r.Path)
	var a *mic.Audio
	var err error
	if r.inContainer() {
		a, err = readCatEntry(path, r.Entry)
	} else {
		a, err = mic.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("corpus: %s: %w", r.Name(), err)
	}
	return mono(a), nil
}

// mono mixes a's channels down and resamples to the classifier's rate.
func mono(a *mic.Audio) []float64 {
	mono := make([]float64, a.Len())
	for _, ch := range a.Channels {
		for i, v := range ch {
			mono[i] += v / float64(len(a.Channels))
		}
	}
	return mic.Resample(mono, a.Rate, acoustic.SampleRate)
}
