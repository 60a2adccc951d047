package posture

import "posturewatch/coach/domain"

// Input is everything the judgement reads from one frame: its size, the body
// model's 17 keypoints, and what the face models saw. Measure and Judge are
// pure functions of it, so a recorded Input can be judged again with other
// parameters (fitting, evaluation with baselines) without the models.
type Input struct {
	W         int               `json:"w"`
	H         int               `json:"h"`
	Keypoints []domain.Keypoint `json:"keypoints"`
	// Face is nil when the face models did not run (a pose-only analyzer).
	Face *Face `json:"face,omitempty"`
}

// Face is what the face detector and the face mesh saw, in frame pixels.
type Face struct {
	// Faces is how many faces the detector found; 0 with Tracked, when the
	// face was followed from the previous frame without the detector.
	Faces   int  `json:"faces"`
	Tracked bool `json:"tracked,omitempty"`
	// Score is the detector's confidence in the main face, 0 when none.
	Score float64 `json:"score"`
	// Box is the detector's face box (brows to chin, cheek to cheek).
	Box Box `json:"box"`
	// Landmarks are the detector's six points: the eye on the image's left,
	// the other eye, nose tip, mouth, the ear on the image's left, the other.
	Landmarks [6]Point `json:"landmarks"`
	// Mesh is the face mesh on the main face's crop, nil when it did not run.
	Mesh *Mesh `json:"mesh,omitempty"`
}

// Mesh keeps what the judgement uses of the 468-point face mesh.
type Mesh struct {
	// Score is the mesh's face-presence score; the mesh is trusted from
	// MinMeshScore (near 0 for profiles and strongly tipped-back heads).
	Score float64 `json:"score"`
	// Roll, Pitch, Yaw in degrees (vision/face conventions: roll > 0 the
	// image-right ear lower, pitch > 0 chin up, yaw > 0 nose to image right).
	Roll  float64 `json:"roll"`
	Pitch float64 `json:"pitch"`
	Yaw   float64 `json:"yaw"`
	// EyeDist3D is the distance between the eye centres in three dimensions:
	// the face's scale whatever its pose.
	EyeDist3D float64 `json:"eye_dist_3d"`
	// Eye centres (image-left eye first), nose tip, chin, top of the forehead.
	EyeL     Point `json:"eye_l"`
	EyeR     Point `json:"eye_r"`
	Nose     Point `json:"nose"`
	Chin     Point `json:"chin"`
	Forehead Point `json:"forehead"`
	// Box is the mesh's bounding box.
	Box Box `json:"box"`
}

// Box is an axis-aligned rectangle in frame pixels.
type Box struct {
	MinX float64 `json:"x0"`
	MinY float64 `json:"y0"`
	MaxX float64 `json:"x1"`
	MaxY float64 `json:"y1"`
}

// Width and Height of the box.
func (b Box) Width() float64  { return b.MaxX - b.MinX }
func (b Box) Height() float64 { return b.MaxY - b.MinY }

// Contains reports whether p lies in the box, edges included.
func (b Box) Contains(p Point) bool {
	return p.X >= b.MinX && p.X <= b.MaxX && p.Y >= b.MinY && p.Y <= b.MaxY
}
