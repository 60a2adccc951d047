// Package domain is posturewatch's vocabulary: what a frame shows (keypoints,
// metrics, faults, the verdict), what the coach says (events, states, status,
// statistics), what the user sets (config, baselines, profiles, equipment) and
// what routines are made of (exercises, doses), with their validation and
// the error kinds every other package uses. It uses only the standard
// library; every other package imports it and it imports none of them.
package domain
