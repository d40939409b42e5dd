"""Tài khoản: the administrator lists, adds and disables accounts and sets new passwords."""

import streamlit as st

from kpi import accounts, permissions, ui

ui.cold_start_guard()
actor = ui.require("manage_accounts")
st.title("Tài khoản")
data = accounts.accounts_view(None, actor=actor)
st.dataframe(data["table"], hide_index=True, width="stretch", key="accounts_table")
st.caption("Vai trò: lãnh đạo (xem mọi trang, không sửa), báo cáo viên (nạp số liệu của đúng các đơn vị được giao), "
           "văn phòng thường trực (chỉ tiêu, mốc thời hạn, rút lại lần nạp, nhật ký), quản trị (thêm tài khoản).")


def done(message: str) -> None:
    st.session_state["_accounts_message"] = message
    st.rerun()


message = st.session_state.pop("_accounts_message", None)
if message:
    st.success(ui.text(message))

with st.expander("Thêm tài khoản", expanded=not data["usernames"]):
    with st.form("account_add", clear_on_submit=True):
        c1, c2 = st.columns(2)
        username = c1.text_input("Tên đăng nhập", key="acc_username",
                                 help="Chữ thường không dấu, số, dấu chấm, gạch: ví dụ nguyen.van.a")
        full_name = c2.text_input("Họ tên, chức vụ", key="acc_full_name")
        role = c1.selectbox("Vai trò", list(data["roles"]), format_func=data["roles"].get, key="acc_role")
        units = c2.multiselect("Đơn vị (chỉ với báo cáo viên)", list(data["units"]), format_func=data["units"].get,
                               key="acc_units")
        pw1 = c1.text_input("Mật khẩu", type="password", key="acc_pw1", autocomplete="new-password",
                            help=f"Ít nhất {accounts.MIN_PASSWORD} ký tự.")
        pw2 = c2.text_input("Nhập lại mật khẩu", type="password", key="acc_pw2", autocomplete="new-password")
        if st.form_submit_button("Thêm", type="primary"):
            if pw1 != pw2:
                st.error("Hai lần nhập mật khẩu không khớp.")
            else:
                try:
                    who = accounts.add_account(None, actor=actor, username=username, password=pw1, role=role,
                                            units=units if role == "reporter" else (), full_name=full_name)
                    done(f"Đã thêm tài khoản {who}.")
                except (accounts.AccountError, permissions.PermissionDenied) as e:
                    st.error(ui.text(str(e)))

if data["usernames"]:
    with st.expander("Vô hiệu hóa hoặc mở lại"):
        name = st.selectbox("Tài khoản", data["usernames"], key="acc_toggle_name",
                            format_func=lambda u: f"{u} ({'đang dùng' if data['active'][u] else 'đã vô hiệu hóa'})")
        active = data["active"][name]
        if st.button("Vô hiệu hóa" if active else "Mở lại", key="acc_toggle"):
            try:
                accounts.set_account_active(None, actor=actor, username=name, active=not active)
                done(f"Đã {'vô hiệu hóa' if active else 'mở lại'} tài khoản {name}.")
            except (accounts.AccountError, permissions.PermissionDenied) as e:
                st.error(ui.text(str(e)))
    with st.expander("Đặt lại mật khẩu"):
        with st.form("account_password", clear_on_submit=True):
            name = st.selectbox("Tài khoản", data["usernames"], key="acc_pw_name")
            pw1 = st.text_input("Mật khẩu mới", type="password", key="acc_pw_new1", autocomplete="new-password")
            pw2 = st.text_input("Nhập lại", type="password", key="acc_pw_new2", autocomplete="new-password")
            if st.form_submit_button("Đặt mật khẩu"):
                if pw1 != pw2:
                    st.error("Hai lần nhập mật khẩu không khớp.")
                else:
                    try:
                        accounts.reset_password(None, actor=actor, username=name, password=pw1)
                        done(f"Đã đặt mật khẩu mới cho {name}; tài khoản này phải đăng nhập lại.")
                    except (accounts.AccountError, permissions.PermissionDenied) as e:
                        st.error(ui.text(str(e)))
