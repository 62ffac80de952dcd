#pragma once
// MPI initialisation and finalisation as an object: finalised on every path out of main().
namespace rankme {

class MpiSession {
 public:
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
};

}  // namespace rankme
