// Nothing of its own: the target built from this file makes the precompiled header that every test
// reuses (cmake/RankmeAddMpiTest.cmake, rankme_test_precompiled_headers).
