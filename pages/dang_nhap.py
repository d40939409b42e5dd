"""Đăng nhập: the only page until someone signs in (local account, or the identity provider if configured)."""

import streamlit as st

from kpi import accounts, ui

ui.cold_start_guard()
st.title("Đăng nhập")
st.caption("chitieu – theo dõi chỉ tiêu kế hoạch. Tải lại trang (F5) sẽ phải đăng nhập lại.")
notice = ui.notice()
if notice:
    st.info(ui.text(notice))

with st.form("sign_in_form"):
    username = st.text_input("Tên đăng nhập", key="signin_user", autocomplete="username")
    password = st.text_input("Mật khẩu", type="password", key="signin_password", autocomplete="current-password")
    submitted = st.form_submit_button("Đăng nhập", type="primary")
if submitted:
    error = ui.sign_in(username, password)
    if error:
        st.error(ui.text(error))
    else:
        st.rerun()

if ui.identity_provider():
    if getattr(st.user, "is_logged_in", False):
        # a click, not an automatic sign-in: the provider's cookie outlives chitieu's sessions
        c1, c2 = st.columns(2)
        if c1.button(f"Tiếp tục với {ui.text(st.user.get('email') or 'tài khoản của cơ quan')}", key="idp_continue",
                     type="primary"):
            error = ui.sign_in_with_identity_provider()
            if error:
                st.error(ui.text(error))
            else:
                st.rerun()
        c2.button("Thoát tài khoản của cơ quan", on_click=st.logout, key="idp_logout")
    else:
        st.button("Đăng nhập bằng tài khoản của cơ quan", on_click=st.login, key="idp_login",
                  icon=":material/badge:")

hint = accounts.demo_hint(None)
if hint and hint["no_accounts"]:
    st.warning("Chưa có tài khoản nào. Chạy: python -m etl init (tạo tài khoản quản trị admin và in mật khẩu "
               "một lần), rồi thêm tài khoản ở trang Tài khoản.")
elif hint:
    names = ", ".join(f"{a['username']} ({a['role_label']})" for a in hint["accounts"])
    st.caption(f"Chế độ minh họa: tài khoản {ui.text(names)}; mật khẩu {ui.text(hint['password'])}. "
               "Không dùng các tài khoản này trên dữ liệu thật (xem README).")
