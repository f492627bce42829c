// State of the Sparse Inference panel (filled in with the sparse engine).
#pragma once

namespace fk::ui {
struct SparsePanelState {};
}  // namespace fk::ui
