package bag_test

import (
	"fmt"

	"github.com/avfusion/avfusion/ros/bag"
)

// Count a bag's messages per topic, in record order, as `rosbag info`
// would (the bag is from the embag test data).
func ExampleFile_Messages() {
	f, err := bag.Open("../../testdata/bags/embag-test.bag")
	if err != nil {
		panic(err)
	}
	defer f.Close() //nolint:errcheck // read-only
	count := map[string]int{}
	err = f.Messages(func(m *bag.Message) error {
		count[m.Conn.Topic+" "+m.Conn.Type]++
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(count)
	// Output: map[/base_pose_ground_truth nav_msgs/Odometry:5 /base_scan sensor_msgs/LaserScan:5 /luminar_pointcloud sensor_msgs/PointCloud2:5]
}
