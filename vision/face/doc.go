// Package face turns the raw outputs of the BlazeFace detector and the
// FaceMesh landmark model (both from the npm package @vladmandic/human 3.3.6,
// converted to ONNX) into face detections, 468-point meshes and head angles,
// and computes the geometry (letterbox, rotated crop) that the gocv glue in
// package vision needs to feed the models. It is pure Go: no cgo, no gocv.
//
// # Coordinates
//
// All positions are continuous pixel coordinates: x to the right, y down,
// pixel (i, j) covers [i, i+1) × [j, j+1) and its centre is (i+0.5, j+0.5).
// The detector's anchors (stride·(cell+0.5)) and both models' outputs use
// this convention, and so does gocv.Resize. gocv.WarpAffine instead puts
// pixel centres at integers, so hand it Letterbox.WarpMatrix or
// Crop.WarpMatrix, never the continuous matrices.
//
// Three spaces appear:
//   - source: the camera frame, any w×h;
//   - detector input: the letterboxed frame, 256 on its long side, on the
//     256×256 square or a canvas fitted to the frame (Letterbox);
//   - crop: the 192×192 square, rotated so the face is upright (Crop).
//
// Everything this package returns (Detection, Mesh) is in source pixels.
// Mesh depth Z is scaled like X and Y (source pixels), relative to the
// face, and grows away from the camera (MediaPipe's convention: smaller is
// nearer).
//
// # Left and right
//
// "Right eye", "right ear", "right cheek" name the subject's right side as
// the models were trained: in an unmirrored frame of a person facing the
// camera it is on the image's left (smaller x). The models cannot tell a
// mirrored frame, so with a mirrored webcam the names follow the image, not
// the person. The reference library names the detector's landmark 0
// "leftEye" because it names by image side; it is the same point.
//
// # Angles
//
// Head angles are in degrees, zero for an upright face looking straight at
// the camera:
//   - Roll > 0: the head leans clockwise on screen, so the ear on the image's
//     right side is lower.
//   - Pitch > 0: chin up (head tipped back).
//   - Yaw > 0: the face turns towards the image's right (the nose points to
//     larger x).
//
// The reference library's pitch and yaw have the opposite signs; see
// HeadAngles.
//
// # Pipeline
//
//	lb, _ := face.NewLetterbox(w, h, face.DetectorInputSize)
//	// glue: Resize (INTER_AREA or INTER_LINEAR; INTER_NEAREST is not
//	// half-pixel aligned) to lb.ResizedWidth×lb.ResizedHeight,
//	// CopyMakeBorder by lb.PadLeft/PadTop/PadRight()/PadBottom(), run BlazeFace
//	dets, err := face.DecodeDetections(s16, b16, s8, b8, lb, face.DefaultDetectOptions())
//	crop, err := face.CropFromDetection(dets[0], face.DefaultDetectionCrop())
//	// glue: gocv.WarpAffine(frame, &in, crop.WarpMatrix() as a 2×3 Mat, 192×192), run FaceMesh
//	mesh, err := face.DecodeMesh(points, score, crop)
//	if mesh.Accepted(face.DefaultMinMeshScore) { angles, ok := mesh.Angles() ... }
//	if face.DefaultTrackOptions().DropTracking(&mesh, w, h, frames, age) == face.KeepTracking {
//		next, err := face.CropFromMesh(&mesh, face.DefaultTrackingCrop()) // next frame: no detector
//	}
package face
