#include "rankme/sweep/text_output.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace rankme {
namespace {

TEST(CsvField, QuotesCommasAndQuotesAndFlattensLineBreaks) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("lr=0.1, wd=0"), "\"lr=0.1, wd=0\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines\r\n"), "two lines  ");  // one record per line, always
}

TEST(JsonText, OneLineAndInvalidUtf8Replaced) {
  const std::string text = json_text(nlohmann::json{{"dataset", std::string("/bad\xff")}, {"n", 1}});
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_NE(text.find("/bad\xef\xbf\xbd"), std::string::npos) << text;  // U+FFFD
}

TEST(AlignedTable, ColumnsAsWideAsTheirWidestCellNumbersRightAligned) {
  std::ostringstream out;
  print_aligned_table({{"name", "rows"}, {"a", "5"}, {"longer", "12345"}}, {false, true}, out);
  EXPECT_EQ(out.str(), "name     rows\na           5\nlonger  12345\n");
}

TEST(FormatNumber, RoundTripAndTablePrecision) {
  EXPECT_EQ(format_number(123.456789012345678, "%.17g"), "123.45678901234568");
  EXPECT_EQ(std::stod(format_number(0.1, "%.17g")), 0.1);
  EXPECT_EQ(format_number(1.5, "%.6f"), "1.500000");
  EXPECT_EQ(format_number(0.25, "%.3f"), "0.250");
}

}  // namespace
}  // namespace rankme
