// agree(), agree_on_failure() and run_stage(): the one Allreduce after each stage that can fail on
// some ranks, which makes every rank stop together with the same message. And the Communicator calls
// they (and the Gram reduction) are built on.
//
// Every TEST runs on every rank in the same order; the expected outcome is computed on each rank from
// the rank count alone, and whether the ranks agree is checked with raw MPI (not with the code under
// test).
#include "rankme/parallel/collective_status.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "rankme/parallel/communicator.hpp"
#include "support/mpi_fixtures.hpp"

namespace rankme {
namespace {

// Rank 0's copy of a text, with raw MPI: the reference against which every rank compares its own.
using testing::text_of_rank_zero;

// How many ranks of `comm` report `value` as true (raw MPI).
int count_true(bool value, MPI_Comm comm = MPI_COMM_WORLD) {
  int local = value ? 1 : 0, total = 0;
  MPI_Allreduce(&local, &total, 1, MPI_INT, MPI_SUM, comm);
  return total;
}

std::string message_of(int rank) { return "stage failed on rank " + std::to_string(rank) + " (disk full)"; }

// What every rank must receive when `failing_rank` is the lowest rank that failed.
std::string expected_agreed(int failing_rank, const std::string& message, int ranks) {
  return ranks > 1 ? "rank " + std::to_string(failing_rank) + ": " + message : message;
}

// Stands for "no agreed error" in comparisons. The tests compare with EXPECT (never ASSERT) wherever the
// outcome could differ between ranks: an early return on one rank would leave the others waiting in the
// next collective.
const std::string no_error = "<no error>";

std::string describe(const std::optional<std::string>& error) { return error ? "error '" + *error + "'" : "no error"; }

TEST(CollectiveStatus, NoFailureAnywhereAgreesOnNothing) {
  const Communicator comm = Communicator::world();
  const AgreedOutcome outcome = agree(comm, std::nullopt, false);
  EXPECT_FALSE(outcome.error.has_value()) << describe(outcome.error);
  EXPECT_FALSE(outcome.flag);
  EXPECT_FALSE(agree_on_failure(comm, std::nullopt).has_value());

  // run_stage runs the stage exactly once on every rank and lets it finish normally.
  int runs = 0;
  EXPECT_NO_THROW(run_stage(comm, [&] { ++runs; }));
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(count_true(runs == 1), comm.size());
}

TEST(CollectiveStatus, FailureOnExactlyOneRankReachesEveryRankWithThatRanksMessage) {
  const Communicator comm = Communicator::world();
  for (int failing = 0; failing < comm.size(); ++failing) {
    SCOPED_TRACE("failing rank " + std::to_string(failing));
    const std::optional<std::string> local =
        comm.rank() == failing ? std::optional<std::string>(message_of(failing)) : std::nullopt;
    const std::string expected = expected_agreed(failing, message_of(failing), comm.size());

    const std::optional<std::string> agreed = agree_on_failure(comm, local);
    EXPECT_EQ(agreed.value_or(no_error), expected);
    EXPECT_EQ(agreed.value_or(no_error), text_of_rank_zero(agreed.value_or(no_error)));

    const AgreedOutcome outcome = agree(comm, local, false);
    EXPECT_EQ(outcome.error.value_or(no_error), expected);
    EXPECT_FALSE(outcome.flag) << "an error alone must not raise the flag";
  }
}

TEST(CollectiveStatus, RunStageThrowsCollectiveErrorOnAllRanksWhenOneRankThrows) {
  const Communicator comm = Communicator::world();
  for (int failing = 0; failing < comm.size(); ++failing) {
    SCOPED_TRACE("failing rank " + std::to_string(failing));
    std::string caught;
    bool threw_collective_error = false;
    try {
      run_stage(comm, [&] {
        if (comm.rank() == failing) throw std::runtime_error(message_of(failing));
      });
    } catch (const CollectiveError& error) {
      threw_collective_error = true;
      caught = error.what();
    }
    EXPECT_TRUE(threw_collective_error);
    EXPECT_EQ(count_true(threw_collective_error), comm.size()) << "every rank must throw, not only the failing one";
    EXPECT_EQ(caught, expected_agreed(failing, message_of(failing), comm.size()));
    EXPECT_EQ(caught, text_of_rank_zero(caught));
  }
}

TEST(CollectiveStatus, RunStageReportsExceptionsThatAreNotStdExceptions) {
  const Communicator comm = Communicator::world();
  const int failing = comm.size() - 1;  // the last rank, so that rank 0 is a receiver at > 1 ranks
  std::string caught;
  try {
    run_stage(comm, [&] {
      if (comm.rank() == failing) throw 42;  // not derived from std::exception
    });
  } catch (const CollectiveError& error) {
    caught = error.what();
  }
  EXPECT_EQ(caught, expected_agreed(failing, "unknown error", comm.size()));
}

TEST(CollectiveStatus, CollectiveErrorIsARuntimeError) {
  // Callers that catch std::runtime_error (or std::exception) must see it, with its message intact.
  const CollectiveError error("rank 3: boom");
  const std::runtime_error& as_runtime_error = error;
  EXPECT_STREQ(as_runtime_error.what(), "rank 3: boom");
}

TEST(CollectiveStatus, SeveralFailingRanksAgreeOnTheLowestOnesMessage) {
  const Communicator comm = Communicator::world();
  const int ranks = comm.size();
  // Every pair (low < high) of failing ranks, and the single-rank case at one rank.
  for (int low = 0; low < ranks; ++low) {
    for (int high = low + 1; high < ranks; ++high) {
      SCOPED_TRACE("failing ranks " + std::to_string(low) + " and " + std::to_string(high));
      const bool fails = comm.rank() == low || comm.rank() == high;
      const auto agreed =
          agree_on_failure(comm, fails ? std::optional<std::string>(message_of(comm.rank())) : std::nullopt);
      EXPECT_EQ(agreed.value_or(no_error), expected_agreed(low, message_of(low), ranks));
    }
  }
  {
    SCOPED_TRACE("every rank fails");
    const auto agreed = agree_on_failure(comm, message_of(comm.rank()));
    EXPECT_EQ(agreed.value_or(no_error), expected_agreed(0, message_of(0), ranks));
  }
  {
    SCOPED_TRACE("every rank but rank 0 fails");
    const auto agreed =
        agree_on_failure(comm, comm.rank() > 0 ? std::optional<std::string>(message_of(comm.rank())) : std::nullopt);
    EXPECT_EQ(agreed.has_value(), ranks > 1);
    if (agreed) {
      EXPECT_EQ(*agreed, expected_agreed(1, message_of(1), ranks));
    }
  }
  {
    SCOPED_TRACE("run_stage, every rank throws its own message");
    std::string caught;
    try {
      run_stage(comm, [&] { throw std::invalid_argument(message_of(comm.rank())); });
    } catch (const CollectiveError& error) {
      caught = error.what();
    }
    EXPECT_EQ(caught, expected_agreed(0, message_of(0), ranks));
  }
}

TEST(CollectiveStatus, EmptyAndLongMessagesStillCountAsFailures) {
  const Communicator comm = Communicator::world();
  const int failing = comm.size() - 1;
  {
    // An empty message is still a failure: it must not be confused with "no error".
    const auto agreed =
        agree_on_failure(comm, comm.rank() == failing ? std::optional<std::string>(std::string()) : std::nullopt);
    EXPECT_EQ(agreed.value_or(no_error), expected_agreed(failing, "", comm.size()));
  }
  {
    // A long message with arbitrary bytes (HDF5 names are bytes) arrives whole on every rank.
    std::string long_message(100000, 'x');
    for (std::size_t i = 0; i < long_message.size(); i += 7) long_message[i] = static_cast<char>(i % 256);
    const auto agreed =
        agree_on_failure(comm, comm.rank() == failing ? std::optional<std::string>(long_message) : std::nullopt);
    EXPECT_TRUE(agreed.value_or(no_error) == expected_agreed(failing, long_message, comm.size()))
        << "length " << agreed.value_or(no_error).size();
  }
}

TEST(CollectiveStatus, FlagRaisedOnOneRankIsSeenOnAllRanks) {
  const Communicator comm = Communicator::world();
  for (int raising = 0; raising < comm.size(); ++raising) {
    SCOPED_TRACE("flag raised on rank " + std::to_string(raising));
    const AgreedOutcome outcome = agree(comm, std::nullopt, comm.rank() == raising);
    EXPECT_TRUE(outcome.flag);
    EXPECT_FALSE(outcome.error.has_value()) << describe(outcome.error);
    EXPECT_EQ(count_true(outcome.flag), comm.size());
  }
  // The flag on every rank at once.
  EXPECT_TRUE(agree(comm, std::nullopt, true).flag);
}

TEST(CollectiveStatus, ErrorAndFlagFromDifferentRanksTravelInOneAgreement) {
  const Communicator comm = Communicator::world();
  const int failing = comm.size() - 1;
  const int raising = 0;
  const AgreedOutcome outcome = agree(comm, comm.rank() == failing ? std::optional<std::string>("bad block") : std::nullopt,
                                      comm.rank() == raising);
  EXPECT_EQ(outcome.error.value_or(no_error), expected_agreed(failing, "bad block", comm.size()));
  EXPECT_TRUE(outcome.flag);
}

TEST(CollectiveStatus, AgreementOnASplitCommunicatorUsesItsOwnRanks) {
  // Two groups (even and odd world ranks) agree independently; the prefix names the rank within the
  // group, and one group's failure does not leak into the other.
  const Communicator world = Communicator::world();
  const int colour = world.rank() % 2;
  const Communicator group = world.split(colour, world.rank());
  EXPECT_EQ(group.rank(), world.rank() / 2);
  EXPECT_EQ(group.size(), (world.size() + 1 - colour) / 2);

  // Only the last rank of the even group fails; the odd group sees nothing.
  const bool fails = colour == 0 && group.rank() == group.size() - 1;
  const auto agreed = agree_on_failure(group, fails ? std::optional<std::string>("even group failed") : std::nullopt);
  if (colour == 0) {
    EXPECT_EQ(agreed.value_or(no_error), expected_agreed(group.size() - 1, "even group failed", group.size()));
  } else {
    EXPECT_FALSE(agreed.has_value()) << describe(agreed);
  }
  world.barrier();
}

// ---- Communicator ----

TEST(Communicator, WorldMatchesMpi) {
  int rank = -1, size = -1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const Communicator comm = Communicator::world();
  EXPECT_EQ(comm.rank(), rank);
  EXPECT_EQ(comm.size(), size);
  EXPECT_EQ(comm.is_root(), rank == 0);
  EXPECT_EQ(comm.native(), MPI_COMM_WORLD);
}

TEST(Communicator, SumInPlaceInManyPiecesEqualsTheSum) {
  const Communicator comm = Communicator::world();
  const auto ranks = static_cast<double>(comm.size());
  const std::uint64_t count = 17;
  // Each rank contributes (rank + 1) * (i + 1) + i / 2: small multiples of 1/2, so every partial sum is
  // exact in double and the expected value can be compared with ==, whatever order MPI adds in.
  const double sentinel = -12345.5;
  for (std::uint64_t limit : {std::uint64_t{1}, std::uint64_t{3}, std::uint64_t{5}, std::uint64_t{16},
                              std::uint64_t{17}, std::uint64_t{18}, std::uint64_t{1} << 28, std::uint64_t{0}}) {
    SCOPED_TRACE("max_elements_per_call " + std::to_string(limit));
    std::vector<double> values(count + 2, sentinel);  // two sentinels past the end must stay untouched
    for (std::uint64_t i = 0; i < count; ++i) {
      values[i] = (comm.rank() + 1.0) * static_cast<double>(i + 1) + static_cast<double>(i) / 2;
    }
    comm.sum_in_place(values.data(), count, limit);
    for (std::uint64_t i = 0; i < count; ++i) {
      const double expected = ranks * (ranks + 1) / 2 * static_cast<double>(i + 1) + ranks * static_cast<double>(i) / 2;
      EXPECT_EQ(values[i], expected) << "element " << i;
    }
    EXPECT_EQ(values[count], sentinel);
    EXPECT_EQ(values[count + 1], sentinel);
  }
  // Nothing to sum: no call, no change (and no hang).
  double untouched = 7.0;
  comm.sum_in_place(&untouched, 0, 3);
  EXPECT_EQ(untouched, 7.0);
}

TEST(Communicator, MaxAnyAndMinInPlace) {
  const Communicator comm = Communicator::world();
  EXPECT_EQ(comm.max(static_cast<double>(comm.rank()) * 1.5 - 10), (comm.size() - 1) * 1.5 - 10);
  EXPECT_EQ(comm.max(-std::numeric_limits<double>::infinity()), -std::numeric_limits<double>::infinity());
  EXPECT_FALSE(comm.any(false));
  for (int r = 0; r < comm.size(); ++r) EXPECT_TRUE(comm.any(comm.rank() == r)) << "raised on rank " << r;
  int values[3] = {comm.rank(), 100 - comm.rank(), comm.rank() == comm.size() - 1 ? -5 : 5};
  comm.min_in_place(values, 3);
  EXPECT_EQ(values[0], 0);
  EXPECT_EQ(values[1], 100 - (comm.size() - 1));
  EXPECT_EQ(values[2], -5);
}

TEST(Communicator, BroadcastsStringsFromEveryRoot) {
  const Communicator comm = Communicator::world();
  std::string binary(70000, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>((i * 31 + 7) % 256);
  const std::vector<std::string> payloads = {
      "", "hello", std::string("a\0b\0\0c", 6), std::string(1, '\0'), binary,
  };
  for (int root = 0; root < comm.size(); ++root) {
    for (std::size_t p = 0; p < payloads.size(); ++p) {
      SCOPED_TRACE("root " + std::to_string(root) + ", payload " + std::to_string(p));
      // Receivers start with something longer and different: it must be replaced, not merged.
      std::string text = comm.rank() == root ? payloads[p] : std::string(80000, 'z');
      comm.broadcast(text, root);
      EXPECT_EQ(text.size(), payloads[p].size());
      EXPECT_TRUE(text == payloads[p]);
    }
  }
}

TEST(Communicator, BroadcastsVectorsAndIntsFromEveryRoot) {
  const Communicator comm = Communicator::world();
  std::vector<double> many(1000);
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = std::ldexp(static_cast<double>(i) + 0.25, static_cast<int>(i % 40) - 20);
  const std::vector<std::vector<double>> payloads = {
      {},
      {3.5},
      {-0.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
       std::numeric_limits<double>::denorm_min(), -std::numeric_limits<double>::max()},
      many,
  };
  for (int root = 0; root < comm.size(); ++root) {
    for (std::size_t p = 0; p < payloads.size(); ++p) {
      SCOPED_TRACE("root " + std::to_string(root) + ", payload " + std::to_string(p));
      std::vector<double> values = comm.rank() == root ? payloads[p] : std::vector<double>(1500, 9.0);
      comm.broadcast(values, root);
      EXPECT_EQ(values.size(), payloads[p].size());
      // Bitwise: NaN and -0.0 must arrive as they left.
      // (memcmp on an empty vector's null data() is undefined even for length 0: compare only real data.)
      if (values.size() == payloads[p].size() && !values.empty()) {
        EXPECT_EQ(std::memcmp(values.data(), payloads[p].data(), values.size() * sizeof(double)), 0);
      }
    }
    int value = comm.rank() == root ? -1000 - root : 0;
    comm.broadcast(value, root);
    EXPECT_EQ(value, -1000 - root);
  }
}

TEST(Communicator, SplitMakesIndependentGroupsThatAreFreedCleanly) {
  const Communicator world = Communicator::world();
  for (int round = 0; round < 3; ++round) {  // repeated: a leaked or double-freed communicator shows up
    Communicator low_first = world.split(world.rank() < 2 ? 0 : 1, world.size() - world.rank());  // reversed order
    const int expected_size = world.rank() < 2 ? std::min(2, world.size()) : world.size() - 2;
    EXPECT_EQ(low_first.size(), expected_size);
    // Keys count down, so the highest world rank of each group is its rank 0.
    const int group_first = world.rank() < 2 ? 0 : 2;
    EXPECT_EQ(low_first.rank(), group_first + expected_size - 1 - world.rank());
    const double group_max = low_first.max(static_cast<double>(world.rank()));
    EXPECT_EQ(group_max, static_cast<double>(group_first + expected_size - 1));
    // Moving keeps it usable and leaves one owner.
    Communicator moved = std::move(low_first);
    EXPECT_EQ(moved.size(), expected_size);
    moved.barrier();
  }
  world.barrier();
}

}  // namespace
}  // namespace rankme
