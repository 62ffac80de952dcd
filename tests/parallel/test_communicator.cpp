// Communicator's chunked transfers: with a forced chunk of 7 elements, counts that are not multiples of it
// (1000, 15, 8, 7, 6, 1, 0) go to MPI in several calls and must arrive element for element, nothing past
// the end touched. Also its point-to-point messages (sized and of unknown length) and its error paths.
// (Reductions, broadcasts and split() at the default chunk size are tested in test_collective_status.)
//
// Every TEST runs on every rank in the same order.
#include "rankme/parallel/communicator.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "rankme/parallel/mpi_error.hpp"

namespace rankme {
namespace {

constexpr std::uint64_t small_chunk = 7;
const std::vector<std::uint64_t> counts = {1000, 15, 8, 7, 6, 1, 0};
constexpr double sentinel = -12345.5;

Communicator world_in_small_chunks() {
  Communicator world = Communicator::world();
  world.set_max_chunk_elements(small_chunk);
  return world;
}

// What `sender` sends as element i of a message of `count`: exact in double, different for every
// sender, count and position.
double value_from(int sender, std::uint64_t count, std::uint64_t i) {
  return static_cast<double>(sender) * 1e6 + static_cast<double>(count) * 1e3 + static_cast<double>(i) + 0.25;
}

TEST(Communicator, ChunkLimitDefaultsClampsAndIsInheritedBySplit) {
  Communicator world = Communicator::world();
  EXPECT_EQ(world.max_chunk_elements(), std::uint64_t{1} << 30);
  world.set_max_chunk_elements(0);
  EXPECT_EQ(world.max_chunk_elements(), 1u);
  world.set_max_chunk_elements(std::uint64_t{1} << 40);
  EXPECT_EQ(world.max_chunk_elements(), static_cast<std::uint64_t>(INT_MAX));
  world.set_max_chunk_elements(small_chunk);
  const Communicator group = world.split(world.rank() % 2, world.rank());
  EXPECT_EQ(group.max_chunk_elements(), small_chunk);
  const Communicator node = world.split_by_node();
  EXPECT_EQ(node.max_chunk_elements(), small_chunk);
  EXPECT_GE(node.size(), 1);
  EXPECT_LE(node.size(), world.size());
}

// Rank 0 sends to every other rank and each answers with its own values: no rank waits on another that
// is itself waiting, whatever MPI buffers.
TEST(Communicator, SendsAndReceivesDoublesInChunks) {
  const Communicator world = world_in_small_chunks();
  if (world.size() == 1) GTEST_SKIP() << "needs a partner rank";
  constexpr int tag = 51;
  auto check_received = [&](const std::vector<double>& received, int sender, std::uint64_t count) {
    for (std::uint64_t i = 0; i < count; ++i) ASSERT_EQ(received[i], value_from(sender, count, i)) << "element " << i;
    EXPECT_EQ(received[count], sentinel);
    EXPECT_EQ(received[count + 1], sentinel);
  };
  for (std::uint64_t count : counts) {
    SCOPED_TRACE("count " + std::to_string(count));
    std::vector<double> mine(count);
    for (std::uint64_t i = 0; i < count; ++i) mine[i] = value_from(world.rank(), count, i);
    std::vector<double> received(count + 2, sentinel);  // two sentinels past the end must stay untouched
    if (world.is_root()) {
      for (int partner = 1; partner < world.size(); ++partner) {
        world.send(mine.data(), count, partner, tag);
        std::fill(received.begin(), received.end(), sentinel);
        world.receive(received.data(), count, partner, tag);
        check_received(received, partner, count);
      }
    } else {
      world.receive(received.data(), count, 0, tag);
      check_received(received, 0, count);
      world.send(mine.data(), count, 0, tag);
    }
  }
}

TEST(Communicator, SendsAndReceivesSignedIntegersInChunks) {
  const Communicator world = world_in_small_chunks();
  if (world.size() == 1) GTEST_SKIP() << "needs a partner rank";
  constexpr int tag = 52;
  const int last = world.size() - 1;
  std::vector<std::int64_t> values(20);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = -(std::int64_t{1} << 40) - static_cast<std::int64_t>(i);
  if (world.is_root()) world.send(values.data(), values.size(), last, tag);
  if (world.rank() == last) {
    std::vector<std::int64_t> received(values.size() + 1, 99);
    world.receive(received.data(), values.size(), 0, tag);
    for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(received[i], values[i]) << "element " << i;
    EXPECT_EQ(received.back(), 99);
  }
  world.barrier();
}

// The receiver names the count it expects; a sender whose chunks differ shows up as an error, not as a
// silently short buffer. (Also shows that the sender really did split: its first message held 7.)
TEST(Communicator, ReceivingChunksOfAnotherSizeIsAnError) {
  Communicator world = world_in_small_chunks();
  if (world.size() == 1) GTEST_SKIP() << "needs a partner rank";
  constexpr int tag = 53;
  std::vector<double> values(20);
  for (std::uint64_t i = 0; i < values.size(); ++i) values[i] = value_from(0, values.size(), i);
  if (world.is_root()) world.send(values.data(), values.size(), 1, tag);  // chunks of 7, 7 and 6
  if (world.rank() == 1) {
    world.set_max_chunk_elements(1000);
    std::vector<double> received(values.size(), sentinel);
    try {
      world.receive(received.data(), received.size(), 0, tag);
      ADD_FAILURE() << "a 7-element chunk was taken for 20 elements";
    } catch (const std::runtime_error& error) {
      EXPECT_NE(std::string(error.what()).find("MPI_Recv"), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("expected 20 elements, received 7"), std::string::npos) << error.what();
    }
    // The rest, as it was sent.
    world.set_max_chunk_elements(small_chunk);
    world.receive(received.data() + 7, 13, 0, tag);
    for (std::uint64_t i = 0; i < values.size(); ++i) EXPECT_EQ(received[i], values[i]) << "element " << i;
  }
  world.barrier();
}

// Every other rank sends rank 0 one message of each length; rank 0 learns who is waiting and takes them
// as they come, in each sender's order.
TEST(Communicator, MessagesOfUnknownLengthArriveWholeFromWhoeverSent) {
  const Communicator world = world_in_small_chunks();
  constexpr int tag = 54;
  auto message = [](int sender, std::uint64_t length) {
    std::vector<std::uint8_t> bytes(length);
    for (std::uint64_t i = 0; i < length; ++i) {
      bytes[i] = static_cast<std::uint8_t>((i * 31 + length + static_cast<std::uint64_t>(sender)) % 256);
    }
    return bytes;
  };
  if (world.is_root()) {
    std::vector<std::size_t> next(static_cast<std::size_t>(world.size()), 0);  // per sender: its next length
    const std::size_t expected = static_cast<std::size_t>(world.size() - 1) * counts.size();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (std::size_t taken = 0; taken < expected && std::chrono::steady_clock::now() < deadline;) {
      const std::optional<int> sender = world.waiting_sender(tag);
      if (!sender) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      ASSERT_GT(*sender, 0);
      ASSERT_LT(*sender, world.size());
      std::size_t& index = next[static_cast<std::size_t>(*sender)];
      ASSERT_LT(index, counts.size());
      const std::vector<std::uint8_t> received = world.receive_message(*sender, tag);
      EXPECT_EQ(received, message(*sender, counts[index])) << "from rank " << *sender << ", length " << counts[index];
      ++index;
      ++taken;
    }
    for (int sender = 1; sender < world.size(); ++sender) {
      EXPECT_EQ(next[static_cast<std::size_t>(sender)], counts.size()) << "from rank " << sender;
    }
  } else {
    for (std::uint64_t length : counts) world.send_message(message(world.rank(), length), 0, tag);
  }
  world.barrier();
  EXPECT_FALSE(world.waiting_sender(tag).has_value()) << "a message was left over";
}

TEST(Communicator, ReductionsInChunksCoverEveryElement) {
  const Communicator world = world_in_small_chunks();
  const auto ranks = static_cast<double>(world.size());
  for (std::uint64_t count : counts) {
    SCOPED_TRACE("count " + std::to_string(count));
    // Small multiples of 1/4: every partial sum is exact, whatever order MPI adds in.
    std::vector<double> sums(count + 2, sentinel), maxima(count + 2, sentinel);
    std::vector<int> minima(count + 2, -7);
    for (std::uint64_t i = 0; i < count; ++i) {
      sums[i] = value_from(world.rank(), count, i);
      maxima[i] = static_cast<double>(world.rank()) - static_cast<double>(i);
      minima[i] = world.rank() + static_cast<int>(i);
    }
    world.sum_in_place(sums.data(), count);
    world.max_in_place(maxima.data(), count);
    world.min_in_place(minima.data(), count);
    for (std::uint64_t i = 0; i < count; ++i) {
      ASSERT_EQ(sums[i], ranks * (ranks - 1) / 2 * 1e6 + ranks * (value_from(0, count, i))) << "element " << i;
      ASSERT_EQ(maxima[i], ranks - 1 - static_cast<double>(i)) << "element " << i;
      ASSERT_EQ(minima[i], static_cast<int>(i)) << "element " << i;
    }
    for (std::uint64_t i = count; i < count + 2; ++i) {
      EXPECT_EQ(sums[i], sentinel);
      EXPECT_EQ(maxima[i], sentinel);
      EXPECT_EQ(minima[i], -7);
    }
  }
}

TEST(Communicator, BroadcastsInChunksFromEveryRoot) {
  const Communicator world = world_in_small_chunks();
  for (int root = 0; root < world.size(); ++root) {
    for (std::uint64_t count : counts) {
      SCOPED_TRACE("root " + std::to_string(root) + ", count " + std::to_string(count));
      std::vector<double> expected(count);
      std::vector<std::uint64_t> expected_words(count);
      std::string expected_text(count, '\0');
      std::vector<int> expected_ints(count);
      for (std::uint64_t i = 0; i < count; ++i) {
        expected[i] = value_from(root, count, i);
        expected_words[i] = (std::uint64_t{1} << 63) + i * 977 + static_cast<std::uint64_t>(root);
        expected_text[i] = static_cast<char>((i * 13 + static_cast<std::uint64_t>(root)) % 256);
        expected_ints[i] = -root - static_cast<int>(i);
      }
      // Receivers start with something longer and different: it must be replaced, not merged.
      const bool sends = world.rank() == root;
      std::vector<double> values = sends ? expected : std::vector<double>(count + 9, sentinel);
      std::vector<std::uint64_t> words = sends ? expected_words : std::vector<std::uint64_t>(count + 9, 5);
      std::string text = sends ? expected_text : std::string(count + 9, 'z');
      std::vector<int> ints(count + 2, 3);  // a fixed count known everywhere: only the first `count` move
      if (sends) std::copy(expected_ints.begin(), expected_ints.end(), ints.begin());
      world.broadcast(values, root);
      world.broadcast(words, root);
      world.broadcast(text, root);
      world.broadcast(ints.data(), count, root);
      ASSERT_EQ(values.size(), count);
      ASSERT_EQ(words.size(), count);
      ASSERT_EQ(text.size(), count);
      for (std::uint64_t i = 0; i < count; ++i) {
        ASSERT_EQ(values[i], expected[i]) << "element " << i;
        ASSERT_EQ(words[i], expected_words[i]) << "element " << i;
        ASSERT_EQ(text[i], expected_text[i]) << "element " << i;
        ASSERT_EQ(ints[i], expected_ints[i]) << "element " << i;
      }
      EXPECT_EQ(ints[count], 3);
      EXPECT_EQ(ints[count + 1], 3);
    }
    std::int64_t value = world.rank() == root ? -(std::int64_t{1} << 50) - root : 0;
    world.broadcast(value, root);
    EXPECT_EQ(value, -(std::int64_t{1} << 50) - root);
  }
}

// rankme keeps MPI's default fatal error handler (mpi_error.hpp); on a communicator set to return errors
// instead, a failed call comes back as an MpiError that names it, not as an abort or an ignored code.
TEST(Communicator, ReturnedErrorsBecomeExceptionsNamingTheCall) {
  const Communicator world = Communicator::world();
  Communicator returning = world.split(0, world.rank());
  ASSERT_EQ(MPI_Comm_set_errhandler(returning.native(), MPI_ERRORS_RETURN), MPI_SUCCESS);
  const int no_such_rank = returning.size() + 3;
  double value = 1.0;
  auto expect_error_naming = [](const char* call, auto&& action) {
    try {
      action();
      ADD_FAILURE() << call << " to a rank that does not exist returned normally";
    } catch (const MpiError& error) {
      EXPECT_NE(std::string(error.what()).find(call), std::string::npos) << error.what();
      EXPECT_NE(error.code(), MPI_SUCCESS);
    }
  };
  expect_error_naming("MPI_Send", [&] { returning.send(&value, 1, no_such_rank, 55); });
  expect_error_naming("MPI_Recv", [&] { returning.receive(&value, 1, no_such_rank, 55); });
  // Every rank passes the same bad root, so every rank fails the same way and none is left waiting.
  expect_error_naming("MPI_Bcast", [&] {
    int flag = 0;
    returning.broadcast(flag, no_such_rank);
  });
  world.barrier();
}

}  // namespace
}  // namespace rankme
