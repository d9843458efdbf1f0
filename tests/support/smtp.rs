//! A real SMTP server on loopback for the mail tests: mailin's state machine behind a
//! thread per connection. It records each message (envelope, raw data, who signed in),
//! can refuse chosen recipients with 550, and can demand a sign-in (AUTH PLAIN or LOGIN
//! over plain text, which is fine on loopback) with one user and password.

#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use mailin::response::{AUTH_OK, INVALID_CREDENTIALS, OK};
use mailin::{Action, AuthMechanism, Handler, Response, SessionBuilder};

/// What the server does besides taking mail.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Recipients refused at RCPT with a 550 (compared without case).
    pub refuse: Vec<String>,
    /// The one user and password it accepts; with it, mail needs a sign-in.
    pub login: Option<(String, String)>,
}

/// One message as the server took it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    /// The envelope's recipients (RCPT TO), as accepted.
    pub to: Vec<String>,
    /// The message itself, as sent after DATA (dot-stuffing undone).
    pub data: Vec<u8>,
    /// The user the connection signed in as.
    pub user: Option<String>,
}

#[derive(Debug, Default)]
struct Record {
    messages: Vec<Received>,
    /// Every sign-in tried: (user, password).
    sign_ins: Vec<(String, String)>,
    connections: usize,
}

pub struct SmtpServer {
    address: SocketAddr,
    record: Arc<Mutex<Record>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl SmtpServer {
    pub fn start(options: Options) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let address = listener.local_addr().expect("address");
        let record = Arc::new(Mutex::new(Record::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let record = Arc::clone(&record);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    record.lock().expect("record").connections += 1;
                    let record = Arc::clone(&record);
                    let options = options.clone();
                    std::thread::spawn(move || serve(stream, options, record));
                }
            })
        };
        SmtpServer {
            address,
            record,
            stop,
            acceptor: Some(acceptor),
        }
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    pub fn messages(&self) -> Vec<Received> {
        self.record.lock().expect("record").messages.clone()
    }

    pub fn sign_ins(&self) -> Vec<(String, String)> {
        self.record.lock().expect("record").sign_ins.clone()
    }

    pub fn connections(&self) -> usize {
        self.record.lock().expect("record").connections
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.address);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// A port nothing listens on (bound, then let go).
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    listener.local_addr().expect("address").port()
}

struct Session {
    options: Options,
    record: Arc<Mutex<Record>>,
    from: String,
    data: Vec<u8>,
    to: Vec<String>,
    user: Option<String>,
}

impl Session {
    fn sign_in(&mut self, user: &str, password: &str) -> Response {
        self.record
            .lock()
            .expect("record")
            .sign_ins
            .push((user.to_string(), password.to_string()));
        match &self.options.login {
            Some((expected_user, expected_password))
                if user == expected_user && password == expected_password =>
            {
                self.user = Some(user.to_string());
                AUTH_OK
            }
            _ => INVALID_CREDENTIALS,
        }
    }
}

impl Handler for Session {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        self.from = from.to_string();
        self.data.clear();
        OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        if self
            .options
            .refuse
            .iter()
            .any(|refused| refused.eq_ignore_ascii_case(to))
        {
            return Response::custom(
                550,
                format!("5.1.1 <{to}>: Recipient address rejected: User unknown"),
            );
        }
        OK
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let message = Received {
            from: std::mem::take(&mut self.from),
            to: std::mem::take(&mut self.to),
            data: std::mem::take(&mut self.data),
            user: self.user.clone(),
        };
        self.record.lock().expect("record").messages.push(message);
        OK
    }

    fn auth_plain(&mut self, _authorization_id: &str, user: &str, password: &str) -> Response {
        self.sign_in(user, password)
    }

    fn auth_login(&mut self, user: &str, password: &str) -> Response {
        self.sign_in(user, password)
    }
}

fn serve(stream: TcpStream, options: Options, record: Arc<Mutex<Record>>) {
    let mut builder = SessionBuilder::new("smtp.test");
    if options.login.is_some() {
        builder
            .enable_auth(AuthMechanism::Plain)
            .enable_auth(AuthMechanism::Login)
            .insecure_enable_plaintext_auth();
    }
    let peer = stream
        .peer_addr()
        .map(|address| address.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let mut session = builder.build(
        peer,
        Session {
            options,
            record,
            from: String::new(),
            data: Vec::new(),
            to: Vec::new(),
            user: None,
        },
    );
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    if session.greeting().write_to(&mut writer).is_err() {
        return;
    }
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let response = session.process(&line);
        match response.action {
            Action::Reply => {
                if response.write_to(&mut writer).is_err() {
                    return;
                }
            }
            Action::Close => {
                let _ = response.write_to(&mut writer);
                let _ = writer.flush();
                return;
            }
            Action::NoReply => {}
            // STARTTLS is never offered.
            Action::UpgradeTls => return,
        }
        let _ = writer.flush();
    }
}
