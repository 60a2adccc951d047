package vision

// KeypointNames are the 17 COCO keypoints in model output order.
var KeypointNames = [17]string{
	"nose",
	"left_eye", "right_eye",
	"left_ear", "right_ear",
	"left_shoulder", "right_shoulder",
	"left_elbow", "right_elbow",
	"left_wrist", "right_wrist",
	"left_hip", "right_hip",
	"left_knee", "right_knee",
	"left_ankle", "right_ankle",
}

// Skeleton lists the COCO limbs as pairs of indexes into KeypointNames.
var Skeleton = [][2]int{
	{0, 1}, {0, 2}, {1, 3}, {2, 4}, // face: nose to eyes, eyes to ears
	{5, 6},         // shoulder line
	{5, 7}, {7, 9}, // left arm
	{6, 8}, {8, 10}, // right arm
	{5, 11}, {6, 12}, {11, 12}, // trunk
	{11, 13}, {13, 15}, // left leg
	{12, 14}, {14, 16}, // right leg
}

// KeypointIndex returns the index of a COCO keypoint name in KeypointNames,
// or -1 if the name is not one of them.
func KeypointIndex(name string) int {
	for i, n := range KeypointNames {
		if n == name {
			return i
		}
	}
	return -1
}
