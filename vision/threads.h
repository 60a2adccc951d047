#ifdef __cplusplus
extern "C" {
#endif
void pw_set_num_threads(int n);
int pw_get_num_threads(void);
#ifdef __cplusplus
}
#endif
