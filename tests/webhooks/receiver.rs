//! A real webhook receiver: an actix server on 127.0.0.1 that answers 500 to its first
//! `fail_first` requests (or sleeps while held), then 200, and keeps what it got.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub event_id: String,
    pub signature: String,
    pub body: Vec<u8>,
    pub answered: u16,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

struct State {
    fail_first: usize,
    seen: AtomicUsize,
    hold: AtomicBool,
    received: Mutex<Vec<Received>>,
}

pub struct Receiver {
    pub addr: SocketAddr,
    state: Arc<State>,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

async fn receive(req: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    while state.hold.load(Ordering::SeqCst) {
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    let n = state.seen.fetch_add(1, Ordering::SeqCst);
    let answered = if n < state.fail_first { 500 } else { 200 };
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    state.received.lock().expect("lock").push(Received {
        event_id: header("webhook-id"),
        signature: header("webhook-signature"),
        body: body.to_vec(),
        answered,
    });
    HttpResponse::build(actix_web::http::StatusCode::from_u16(answered).unwrap_or_default())
        .finish()
}

impl Receiver {
    /// A receiver failing its first `fail_first` requests.
    pub fn start(fail_first: usize) -> Receiver {
        let state = Arc::new(State {
            fail_first,
            seen: AtomicUsize::new(0),
            hold: AtomicBool::new(false),
            received: Mutex::new(Vec::new()),
        });
        let data = web::Data::from(state.clone());
        let (sent, got) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(data.clone())
                        .default_service(web::to(receive))
                })
                .workers(2)
                .disable_signals()
                .bind("127.0.0.1:0")
                .expect("bind a receiver");
                let addr = server.addrs()[0];
                let server = server.run();
                let _ = sent.send((addr, server.handle()));
                let _ = server.await;
            });
        });
        let (addr, handle) = got.recv().expect("receiver started");
        Receiver {
            addr,
            state,
            handle,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hooks/payments", self.addr)
    }

    /// Every request received so far (including those answered with 500).
    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().expect("lock").clone()
    }

    /// The requests answered with 200.
    pub fn accepted(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.answered == 200)
            .collect()
    }

    /// Holds every request until released.
    pub fn hold(&self, hold: bool) {
        self.state.hold.store(hold, Ordering::SeqCst);
    }

    /// Waits (up to `timeout`) until `condition` holds over what was received.
    pub fn wait_for(&self, timeout: Duration, condition: impl Fn(&[Received]) -> bool) -> bool {
        let started = Instant::now();
        while started.elapsed() < timeout {
            if condition(&self.received()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        condition(&self.received())
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.hold(false);
        let handle = self.handle.clone();
        actix_web::rt::System::new().block_on(handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A URL where nothing listens: a receiver down for good.
pub fn nobody_listening() -> String {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let addr = socket.local_addr().expect("address");
    drop(socket);
    format!("http://{addr}/hooks")
}
