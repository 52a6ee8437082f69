// The scalar paste row, shared by every target (the SIMD ones finish their rows with it).

void paste_row_scalar(const float* north, const float* south, float rnear, float rfar,
                      const kernels::PasteColumns& cols, std::size_t begin, std::size_t count, float threshold,
                      std::uint8_t* out) {
    for (std::size_t k = begin; k < count; ++k) {
        const std::int32_t lo = cols.lo[k];
        const bool lo_ok = cols.lo_ok[k] != 0, hi_ok = cols.hi_ok[k] != 0;
        const float v_nw = north && lo_ok ? north[lo] : 0.0f;
        const float v_ne = north && hi_ok ? north[lo + 1] : 0.0f;
        const float v_sw = south && lo_ok ? south[lo] : 0.0f;
        const float v_se = south && hi_ok ? south[lo + 1] : 0.0f;
        const float near = cols.near[k], far = cols.far[k];
        const float v = v_nw * (rfar * far) + v_ne * (rfar * near) + v_sw * (rnear * far) + v_se * (rnear * near);
        out[k] = v >= threshold;
    }
}
