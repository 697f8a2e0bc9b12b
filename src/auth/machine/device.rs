//! Remembered devices, as Amplify keeps them: ConfirmDevice for the device a sign-in's tokens
//! announce (NewDeviceMetadata), and rememberDevice (UpdateDeviceStatus), forgetDevice
//! (ForgetDevice) and fetchDevices (ListDevices). Device SRP itself is part of a sign-in
//! (`sign_in.rs`).

use super::state::{AuthState, Effect, NewDeviceVerifier, Pending};
use crate::auth::events::{AuthEvent, DeviceView};
use crate::cognito::codes::ClientCode;
use crate::cognito::error::CognitoError;
use crate::cognito::types::*;

/// The name a device this client confirms goes by (Amplify sends the browser's).
pub const DEVICE_NAME: &str = "cognito-tui";

impl AuthState {
    /// The new device's password and verifier are made: ConfirmDevice.
    pub(super) fn on_device_verifier(
        &mut self,
        v: NewDeviceVerifier,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        if self.op.as_ref().map(|o| o.pending) != Some(Pending::DeviceVerifier) {
            tracing::warn!("auth machine: a device verifier arrived unasked");
            return;
        }
        let (Some(device), Some(tokens)) = (&mut self.new_device, &self.tokens) else {
            self.new_device = None;
            return self.signed_in(now_ms, "Cognito issued tokens: the user is signed in", fx);
        };
        device.password = v.password;
        let req = ConfirmDeviceRequest {
            access_token: tokens.access_token.clone(),
            device_key: device.device_key.clone(),
            device_secret_verifier_config: DeviceSecretVerifierConfig {
                password_verifier: v.password_verifier,
                salt: v.salt,
            },
            device_name: Some(DEVICE_NAME.into()),
        };
        self.call(
            Pending::ConfirmDevice,
            Request::ConfirmDevice(req),
            vec![],
            fx,
        );
    }

    /// ConfirmDevice answered: the device is kept, and the sign-in is over.
    pub(super) fn on_device_confirmed(
        &mut self,
        r: ConfirmDeviceResponse,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        if let Some(device) = self.new_device.take() {
            let key = device.device_key.clone();
            self.keep_device(device, fx);
            self.info(
                if r.user_confirmation_necessary {
                    format!(
                        "ConfirmDevice: device {key} is tracked but not remembered yet \
                         (the pool waits for the user's choice: rememberDevice)"
                    )
                } else {
                    format!(
                        "ConfirmDevice: device {key} is remembered; the next sign-in proves it \
                         with device SRP"
                    )
                },
                fx,
            );
        }
        self.signed_in(now_ms, "Cognito issued tokens: the user is signed in", fx);
    }

    /// ConfirmDevice failed: as Amplify, the sign-in stands without a device.
    pub(super) fn on_confirm_device_error(
        &mut self,
        e: &CognitoError,
        now_ms: i64,
        fx: &mut Vec<Effect>,
    ) {
        self.new_device = None;
        self.info(
            format!(
                "ConfirmDevice failed ({}: {}): no device is kept, as Amplify does",
                e.code(),
                e.message()
            ),
            fx,
        );
        self.signed_in(now_ms, "Cognito issued tokens: the user is signed in", fx);
    }

    /// The access token and the device kept for the signed-in user, or the refusal.
    fn device_context(
        &mut self,
        api: &'static str,
        need_device: bool,
        fx: &mut Vec<Effect>,
    ) -> Option<(String, Option<String>)> {
        let Some(tokens) = &self.tokens else {
            self.reject(
                api,
                ClientCode::UserUnAuthenticated,
                "No user is signed in: sign in first",
                fx,
            );
            return None;
        };
        let username = tokens.username();
        let access = tokens.access_token.clone();
        let device = self
            .device_for(&username, &username)
            .map(|d| d.device_key.clone());
        if need_device && device.is_none() {
            self.reject(
                api,
                ClientCode::DeviceMetadata,
                format!("This client keeps no device for {username}: the pool tracks none, or it was forgotten"),
                fx,
            );
            return None;
        }
        Some((access, device))
    }

    /// rememberDevice: UpdateDeviceStatus `remembered` for the kept device.
    pub(super) fn remember_device(&mut self, fx: &mut Vec<Effect>) {
        let Some((access_token, Some(device_key))) =
            self.device_context("rememberDevice", true, fx)
        else {
            return;
        };
        self.start("rememberDevice", Pending::RememberDevice, fx);
        let req = UpdateDeviceStatusRequest {
            access_token,
            device_key,
            device_remembered_status: "remembered".into(),
        };
        self.call(
            Pending::RememberDevice,
            Request::UpdateDeviceStatus(req),
            vec![],
            fx,
        );
    }

    pub(super) fn on_device_remembered(&mut self, fx: &mut Vec<Effect>) {
        self.info(
            "UpdateDeviceStatus: the device is remembered (a pool that asks MFA only on new devices skips it now)",
            fx,
        );
        self.finish(true, fx);
    }

    /// forgetDevice: ForgetDevice for `device_key`, or the kept device.
    pub(super) fn forget_device(&mut self, device_key: Option<String>, fx: &mut Vec<Effect>) {
        let given = device_key.filter(|k| !k.trim().is_empty());
        let Some((access_token, kept)) = self.device_context("forgetDevice", given.is_none(), fx)
        else {
            return;
        };
        let Some(device_key) = given.or(kept) else {
            return;
        };
        self.start("forgetDevice", Pending::ForgetDevice, fx);
        self.forgetting = Some(device_key.clone());
        let req = DeviceKeyRequest {
            access_token,
            device_key,
        };
        self.call(
            Pending::ForgetDevice,
            Request::ForgetDevice(req),
            vec![],
            fx,
        );
    }

    pub(super) fn on_device_forgotten(&mut self, fx: &mut Vec<Effect>) {
        let key = self.forgetting.take().unwrap_or_default();
        let here = self.drop_device(&key, fx);
        self.info(
            if here {
                format!("ForgetDevice: device {key} is forgotten; the next sign-in is a new device")
            } else {
                format!("ForgetDevice: device {key} is forgotten")
            },
            fx,
        );
        self.finish(true, fx);
    }

    /// fetchDevices: ListDevices with Amplify's Limit of 60.
    pub(super) fn fetch_devices(&mut self, fx: &mut Vec<Effect>) {
        let Some((access_token, _)) = self.device_context("fetchDevices", false, fx) else {
            return;
        };
        self.start("fetchDevices", Pending::FetchDevices, fx);
        let req = ListDevicesRequest {
            access_token,
            limit: Some(60),
            pagination_token: None,
        };
        self.call(Pending::FetchDevices, Request::ListDevices(req), vec![], fx);
    }

    pub(super) fn on_devices_listed(&mut self, r: ListDevicesResponse, fx: &mut Vec<Effect>) {
        let kept: Vec<String> = self.devices.iter().map(|d| d.device_key.clone()).collect();
        let devices: Vec<DeviceView> = r
            .devices
            .into_iter()
            .map(|d| {
                let attr = |name: &str| {
                    d.device_attributes
                        .iter()
                        .find(|a| a.name == name)
                        .and_then(|a| a.value.clone())
                };
                DeviceView {
                    this_client: kept.contains(&d.device_key),
                    name: attr("device_name"),
                    status: attr("dev:device_remembered_status"),
                    last_authenticated: d.device_last_authenticated_date.map(|t| t.0 as i64),
                    device_key: d.device_key,
                }
            })
            .collect();
        self.info(
            format!("ListDevices: {} device(s) for this user", devices.len()),
            fx,
        );
        fx.push(Effect::Emit(AuthEvent::Devices { devices }));
        self.finish(true, fx);
    }
}
