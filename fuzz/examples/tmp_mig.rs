use tessera_transfer::importer;
fn varint(mut v: u64, out: &mut Vec<u8>) { while v >= 0x80 { out.push((v as u8 & 0x7f) | 0x80); v >>= 7; } out.push(v as u8); }
fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut s = String::new();
    for c in bytes.chunks(3) {
        let w = c.iter().enumerate().fold(0u32, |w, (i, &b)| w | (b as u32) << (16 - 8 * i));
        for i in 0..=c.len() { s.push(A[(w >> (18 - 6 * i) & 63) as usize] as char); }
    }
    s
}
fn main() {
    let n: u64 = std::env::args().nth(1).unwrap().parse().unwrap();
    let mut text = String::new();
    for id in 0..n {
        let mut p = vec![0x18]; varint(1000, &mut p); p.push(0x28); varint(id + 1, &mut p);
        text.push_str("otpauth-migration://offline?data="); text.push_str(&b64(&p)); text.push('\n');
    }
    let t = std::time::Instant::now();
    let r = importer("google-migration").unwrap().import(text.as_bytes(), None).unwrap();
    let bytes: usize = r.errors.iter().map(|e| e.message.len()).sum();
    println!("{} lines, {} bytes: {} errors, {} bytes of messages, {:?}", n, text.len(), r.errors.len(), bytes, t.elapsed());
}
