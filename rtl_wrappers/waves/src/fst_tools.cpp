// FST merge/convert/inspect on fstapi (reader and writer), which the Verilator
// runtime compiles in with verilated_fst_c.cpp.
#include "cosim/rtl/fst_tools.h"

#include <cstdio>
#include <memory>

#include "gtkwave/fstapi.h"

namespace cosim::rtl {
namespace {

struct ReaderCloser {
  void operator()(void* r) const {
    if (r) fstReaderClose(r);
  }
};
using Reader = std::unique_ptr<void, ReaderCloser>;

bool is_real(unsigned char vartype) {
  return vartype == FST_VT_VCD_REAL || vartype == FST_VT_VCD_REAL_PARAMETER || vartype == FST_VT_VCD_REALTIME ||
         vartype == FST_VT_SV_SHORTREAL;
}

struct MergeState {
  void* writer = nullptr;
  uint64_t from = 0;
  uint64_t to = 0;
  std::vector<std::string> current;  // by handle: value as the writer expects it
  std::vector<bool> real;            // by handle
  std::vector<uint32_t> length;      // by handle
  bool started = false;
  uint64_t last_time = 0;
  uint64_t changes = 0;

  void emit(fstHandle h) {
    fstWriterEmitValueChange(writer, h, current[h].data());
    ++changes;
  }
  // The state at `from`, before the first change after it.
  void start() {
    started = true;
    last_time = from;
    fstWriterEmitTimeChange(writer, from);
    for (fstHandle h = 1; h < current.size(); ++h)
      if (!current[h].empty()) emit(h);
  }
  void change(uint64_t time, fstHandle h, const unsigned char* value) {
    if (h >= current.size() || time > to) return;
    std::string v = real[h] ? std::string(reinterpret_cast<const char*>(value), sizeof(double))
                            : std::string(reinterpret_cast<const char*>(value), length[h]);
    if (!started) {
      if (time <= from) {
        current[h] = std::move(v);
        return;
      }
      start();
    }
    if (v == current[h]) return;  // each segment begins with a full dump
    if (time != last_time) {
      fstWriterEmitTimeChange(writer, time);
      last_time = time;
    }
    current[h] = std::move(v);
    emit(h);
  }
};

void merge_cb(void* user, uint64_t time, fstHandle h, const unsigned char* value) {
  static_cast<MergeState*>(user)->change(time, h, value);
}

}  // namespace

Status fst_merge(const std::vector<std::string>& inputs, const std::string& output, uint64_t from, uint64_t to) {
  if (inputs.empty()) return {ErrorCode::kInternal, "fst_merge: no input files for " + output};
  Reader first(fstReaderOpen(inputs[0].c_str()));
  if (!first) return {ErrorCode::kInternal, "cannot read FST file " + inputs[0]};
  void* w = fstWriterCreate(output.c_str(), 1);
  if (!w) return {ErrorCode::kInternal, "cannot create FST file " + output};
  fstWriterSetPackType(w, FST_WR_PT_LZ4);
  fstWriterSetTimescale(w, fstReaderGetTimescale(first.get()));
  fstWriterSetVersion(w, "cosim waves (merged segments)");

  MergeState st;
  st.writer = w;
  st.from = from;
  st.to = to;
  const fstHandle max = fstReaderGetMaxHandle(first.get());
  st.current.assign(max + 1, {});
  st.real.assign(max + 1, false);
  st.length.assign(max + 1, 0);

  // Copy the hierarchy; declaring the variables in the same order gives them
  // the same handles, so value changes copy over by handle.
  fstReaderIterateHierRewind(first.get());
  while (fstHier* h = fstReaderIterateHier(first.get())) {
    switch (h->htyp) {
      case FST_HT_SCOPE:
        fstWriterSetScope(w, static_cast<fstScopeType>(h->u.scope.typ), h->u.scope.name, h->u.scope.component);
        break;
      case FST_HT_UPSCOPE: fstWriterSetUpscope(w); break;
      case FST_HT_VAR: {
        const fstHandle got = fstWriterCreateVar(w, static_cast<fstVarType>(h->u.var.typ),
                                                 static_cast<fstVarDir>(h->u.var.direction), h->u.var.length,
                                                 h->u.var.name, h->u.var.is_alias ? h->u.var.handle : 0);
        if (!h->u.var.is_alias) {
          if (got != h->u.var.handle || got > max) {
            fstWriterClose(w);
            return {ErrorCode::kInternal, "fst_merge: handle mismatch copying the hierarchy of " + inputs[0]};
          }
          st.real[got] = is_real(h->u.var.typ);
          st.length[got] = h->u.var.length;
        }
        break;
      }
      case FST_HT_ATTRBEGIN:
        fstWriterSetAttrBegin(w, static_cast<fstAttrType>(h->u.attr.typ), h->u.attr.subtype, h->u.attr.name,
                              h->u.attr.arg);
        break;
      case FST_HT_ATTREND: fstWriterSetAttrEnd(w); break;
      default: break;
    }
  }
  first.reset();

  for (const std::string& in : inputs) {
    Reader r(fstReaderOpen(in.c_str()));
    if (!r) {
      fstWriterClose(w);
      return {ErrorCode::kInternal, "cannot read FST file " + in};
    }
    if (fstReaderGetMaxHandle(r.get()) != max) {
      fstWriterClose(w);
      return {ErrorCode::kInternal, "fst_merge: " + in + " has a different signal set than " + inputs[0]};
    }
    fstReaderSetFacProcessMaskAll(r.get());
    fstReaderIterBlocksSetNativeDoublesOnCallback(r.get(), 1);
    fstReaderIterBlocks(r.get(), merge_cb, &st, nullptr);
  }
  if (!st.started) st.start();
  fstWriterClose(w);
  return {};
}

Status fst_to_vcd(const std::string& fst, const std::string& vcd) {
  Reader r(fstReaderOpen(fst.c_str()));
  if (!r) return {ErrorCode::kInternal, "cannot read FST file " + fst};
  FILE* f = std::fopen(vcd.c_str(), "w");
  if (!f) return {ErrorCode::kInternal, "cannot create VCD file " + vcd};
  const bool ok = fstReaderProcessHier(r.get(), f) != 0;
  if (ok) {
    fstReaderSetFacProcessMaskAll(r.get());
    fstReaderIterBlocks(r.get(), nullptr, nullptr, f);
  }
  std::fclose(f);
  if (!ok) return {ErrorCode::kInternal, "cannot convert the hierarchy of " + fst + " to VCD"};
  return {};
}

namespace {
struct CountState {
  uint64_t changes = 0;
  fstHandle want = 0;
  std::vector<std::pair<uint64_t, std::string>>* out = nullptr;
};
void count_cb(void* user, uint64_t time, fstHandle h, const unsigned char* value) {
  auto* st = static_cast<CountState*>(user);
  ++st->changes;
  if (st->out && h == st->want) st->out->emplace_back(time, reinterpret_cast<const char*>(value));
}

// Walks the hierarchy, returning names and the handle of `want` (0 if absent).
fstHandle walk(void* r, std::vector<std::string>* names, const std::string& want) {
  std::vector<std::string> scope;
  fstHandle found = 0;
  fstReaderIterateHierRewind(r);
  while (fstHier* h = fstReaderIterateHier(r)) {
    if (h->htyp == FST_HT_SCOPE) {
      scope.emplace_back(h->u.scope.name);
    } else if (h->htyp == FST_HT_UPSCOPE) {
      if (!scope.empty()) scope.pop_back();
    } else if (h->htyp == FST_HT_VAR) {
      std::string n;
      for (const auto& s : scope) n += s + ".";
      // Verilator appends the bit range to the name ("data [31:0]").
      const std::string var = h->u.var.name;
      n += var.substr(0, var.find(' '));
      if (n == want) found = h->u.var.handle;
      if (names) names->push_back(std::move(n));
    }
  }
  return found;
}
}  // namespace

Result<FstInfo> fst_info(const std::string& fst) {
  Reader r(fstReaderOpen(fst.c_str()));
  if (!r) return Status(ErrorCode::kInternal, "cannot read FST file " + fst);
  FstInfo info;
  info.start_time = fstReaderGetStartTime(r.get());
  info.end_time = fstReaderGetEndTime(r.get());
  info.vars = fstReaderGetVarCount(r.get());
  info.timescale = fstReaderGetTimescale(r.get());
  walk(r.get(), &info.var_names, "");
  CountState st;
  fstReaderSetFacProcessMaskAll(r.get());
  fstReaderIterBlocks(r.get(), count_cb, &st, nullptr);
  info.value_changes = st.changes;
  return info;
}

Result<std::vector<std::pair<uint64_t, std::string>>> fst_trace_of(const std::string& fst, const std::string& var) {
  Reader r(fstReaderOpen(fst.c_str()));
  if (!r) return Status(ErrorCode::kInternal, "cannot read FST file " + fst);
  const fstHandle h = walk(r.get(), nullptr, var);
  if (h == 0) return Status(ErrorCode::kInternal, "no variable " + var + " in " + fst);
  std::vector<std::pair<uint64_t, std::string>> out;
  CountState st;
  st.want = h;
  st.out = &out;
  fstReaderSetFacProcessMaskAll(r.get());
  fstReaderIterBlocks(r.get(), count_cb, &st, nullptr);
  return out;
}

}  // namespace cosim::rtl
