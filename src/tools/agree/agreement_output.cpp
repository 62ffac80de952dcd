#include "agreement_output.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "rankme/sweep/text_output.hpp"

namespace rankme::agree {

namespace {

// Keys in the order of the table's columns, not alphabetical.
using OrderedJson = nlohmann::ordered_json;

OrderedJson json_number(double value) { return std::isfinite(value) ? OrderedJson(value) : OrderedJson(nullptr); }

std::string correlation_text(double value) { return std::isnan(value) ? "nan" : format_number(value, "%+.3f"); }

std::string exact(double value) { return format_number(value, "%.17g"); }

// The table's p-values: two significant digits say what matters; below 1e-4 in exponent form.
std::string p_text(double p) {
  if (std::isnan(p)) return "nan";
  if (p == 0) return "0";
  return format_number(p, p >= 1e-4 ? "%.2g" : "%.1e");
}

std::string picked_text(const MetricAgreement& agreement) {
  std::string text = agreement.picked->label;
  if (agreement.tied_with_pick > 0) text += " (+" + std::to_string(agreement.tied_with_pick) + " tied)";
  return text;
}

void print_table(const std::vector<MetricAgreement>& agreements, bool grouped, std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"metric", "better", "n", "spearman", "p", "kendall", "p",
                                     "picked", "accuracy", "best", "regret"};
  if (grouped) header.insert(header.begin(), "group");
  rows.push_back(header);
  for (const MetricAgreement& a : agreements) {
    std::vector<std::string> row = {a.criterion.name,
                                    a.criterion.direction,
                                    std::to_string(a.n),
                                    correlation_text(a.spearman.rho),
                                    p_text(a.spearman.p_value),
                                    correlation_text(a.kendall.tau),
                                    p_text(a.kendall.p_value),
                                    picked_text(a),
                                    format_number(a.picked->accuracy, "%.6g"),
                                    format_number(a.best_accuracy, "%.6g"),
                                    format_number(a.regret, "%.4g")};
    if (grouped) row.insert(row.begin(), a.group);
    rows.push_back(row);
  }
  std::vector<bool> right = {false, false, true, true, true, true, true, false, true, true, true};
  if (grouped) right.insert(right.begin(), false);
  print_aligned_table(rows, right, out);
}

OrderedJson to_json(const MetricAgreement& a, bool grouped) {
  OrderedJson json;
  if (grouped) json["group"] = a.group;
  json["metric"] = a.criterion.name;
  json["better"] = a.criterion.direction;
  json["n"] = a.n;
  json["spearman_rho"] = json_number(a.spearman.rho);
  json["spearman_p"] = json_number(a.spearman.p_value);
  json["kendall_tau"] = json_number(a.kendall.tau);
  json["kendall_p"] = json_number(a.kendall.p_value);
  json["kendall_p_method"] = kendall_method_name(a.kendall.method);
  json["picked"] = a.picked->label;
  json["picked_file"] = a.picked->result->file;
  json["picked_dataset"] = a.picked->result->dataset;
  json["picked_line"] = a.picked->line;
  json["tied_with_pick"] = a.tied_with_pick;
  json["picked_accuracy"] = a.picked->accuracy;
  json["best_accuracy"] = a.best_accuracy;
  json["regret"] = a.regret;
  return json;
}

void print_csv(const std::vector<MetricAgreement>& agreements, bool grouped, std::ostream& out) {
  out << (grouped ? "group," : "")
      << "metric,better,n,spearman_rho,spearman_p,kendall_tau,kendall_p,kendall_p_method,picked,picked_file,"
         "picked_dataset,picked_line,tied_with_pick,picked_accuracy,best_accuracy,regret\n";
  for (const MetricAgreement& a : agreements) {
    if (grouped) out << csv_field(a.group) << ",";
    out << a.criterion.name << "," << csv_field(a.criterion.direction) << "," << a.n << "," << exact(a.spearman.rho)
        << "," << exact(a.spearman.p_value) << "," << exact(a.kendall.tau) << "," << exact(a.kendall.p_value) << ","
        << kendall_method_name(a.kendall.method) << "," << csv_field(a.picked->label) << ","
        << csv_field(a.picked->result->file) << "," << csv_field(a.picked->result->dataset) << "," << a.picked->line
        << "," << a.tied_with_pick << "," << exact(a.picked->accuracy) << "," << exact(a.best_accuracy) << ","
        << exact(a.regret) << "\n";
  }
}

}  // namespace

void print_agreement(const std::vector<MetricAgreement>& agreements, AgreementFormat format, bool grouped,
                     std::ostream& out) {
  switch (format) {
    case AgreementFormat::table: print_table(agreements, grouped, out); break;
    case AgreementFormat::jsonl:
      for (const MetricAgreement& a : agreements) {
        out << to_json(a, grouped).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      }
      break;
    case AgreementFormat::csv: print_csv(agreements, grouped, out); break;
  }
  out.flush();
}

}  // namespace rankme::agree
