// Package derivedobject defines the messages of the ROS package
// derived_object_msgs (AutonomouStuff, version 4.0.0) that avfusion
// publishes, with the field layout and constants of the real package so
// that their MD5 sums match it and any subscriber built against it accepts
// them.
package derivedobject

import (
	"github.com/bluenviron/goroslib/v2/pkg/msg"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/geometry_msgs"
	"github.com/bluenviron/goroslib/v2/pkg/msgs/std_msgs"
)

// Detection levels of ObjectWithCovariance.
const (
	ObjectDetected uint8 = 0
	ObjectTracked  uint8 = 1
)

// Classifications of ObjectWithCovariance.
const (
	ClassificationUnknown       uint8 = 0
	ClassificationUnknownSmall  uint8 = 1
	ClassificationUnknownMedium uint8 = 2
	ClassificationUnknownBig    uint8 = 3
	ClassificationPedestrian    uint8 = 4
	ClassificationBike          uint8 = 5
	ClassificationCar           uint8 = 6
	ClassificationTruck         uint8 = 7
	ClassificationMotorcycle    uint8 = 8
	ClassificationOtherVehicle  uint8 = 9
	ClassificationBarrier       uint8 = 10
	ClassificationSign          uint8 = 11
)

// Shape types of SolidPrimitiveWithCovariance.
const (
	ShapeBox      uint8 = 1
	ShapeSphere   uint8 = 2
	ShapeCylinder uint8 = 3
	ShapeCone     uint8 = 4
)

// SolidPrimitiveWithCovariance is derived_object_msgs/SolidPrimitiveWithCovariance:
// a shape with the covariance of its dimensions.
type SolidPrimitiveWithCovariance struct {
	msg.Package     `ros:"derived_object_msgs"`
	msg.Definitions `ros:"uint8 BOX=1,uint8 SPHERE=2,uint8 CYLINDER=3,uint8 CONE=4,uint8 BOX_X=0,uint8 BOX_Y=1,uint8 BOX_Z=2,uint8 SPHERE_RADIUS=0,uint8 CYLINDER_HEIGHT=0,uint8 CYLINDER_RADIUS=1,uint8 CONE_HEIGHT=0,uint8 CONE_RADIUS=1"`
	Type            uint8
	Dimensions      []float64
	Covariance      []float64
}

// ObjectWithCovariance is derived_object_msgs/ObjectWithCovariance: one
// detected or tracked object with pose, twist and acceleration covariances.
type ObjectWithCovariance struct {
	msg.Package             `ros:"derived_object_msgs"`
	msg.Definitions         `ros:"uint8 OBJECT_DETECTED=0,uint8 OBJECT_TRACKED=1,uint8 CLASSIFICATION_UNKNOWN=0,uint8 CLASSIFICATION_UNKNOWN_SMALL=1,uint8 CLASSIFICATION_UNKNOWN_MEDIUM=2,uint8 CLASSIFICATION_UNKNOWN_BIG=3,uint8 CLASSIFICATION_PEDESTRIAN=4,uint8 CLASSIFICATION_BIKE=5,uint8 CLASSIFICATION_CAR=6,uint8 CLASSIFICATION_TRUCK=7,uint8 CLASSIFICATION_MOTORCYCLE=8,uint8 CLASSIFICATION_OTHER_VEHICLE=9,uint8 CLASSIFICATION_BARRIER=10,uint8 CLASSIFICATION_SIGN=11"`
	Header                  std_msgs.Header
	Id                      uint32 //nolint:revive // the ROS field is "id"
	DetectionLevel          uint8
	ObjectClassified        bool
	Pose                    geometry_msgs.PoseWithCovariance
	Twist                   geometry_msgs.TwistWithCovariance
	Accel                   geometry_msgs.AccelWithCovariance
	Polygon                 geometry_msgs.Polygon
	Shape                   SolidPrimitiveWithCovariance
	Classification          uint8
	ClassificationCertainty uint8
	ClassificationAge       uint32
}

// ObjectWithCovarianceArray is derived_object_msgs/ObjectWithCovarianceArray.
type ObjectWithCovarianceArray struct {
	msg.Package `ros:"derived_object_msgs"`
	Header      std_msgs.Header
	Objects     []ObjectWithCovariance
}
