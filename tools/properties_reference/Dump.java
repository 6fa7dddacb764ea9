// Reads a JSON-lines corpus of .properties documents (one JSON string per
// line) and prints, per document, what java.util.Properties.load(Reader)
// makes of it: {"pairs": [[key, value], ...]} sorted by key, or
// {"error": "<exception class>"}. Used by gen_corpus.py to make
// tests/fixtures/properties_java.jsonl (the reference the parser is
// checked against); the test itself needs no Java.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;

public class Dump {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            String doc = parseJsonString(line);
            Properties p = new Properties();
            try {
                p.load(new StringReader(doc));
            } catch (Exception e) {
                out.println("{\"error\": " + q(e.getClass().getSimpleName()) + "}");
                continue;
            }
            TreeMap<String, String> sorted = new TreeMap<>();
            for (String k : p.stringPropertyNames()) sorted.put(k, p.getProperty(k));
            StringBuilder sb = new StringBuilder("{\"pairs\": [");
            boolean first = true;
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                if (!first) sb.append(", ");
                first = false;
                sb.append("[").append(q(e.getKey())).append(", ").append(q(e.getValue())).append("]");
            }
            out.println(sb.append("]}"));
        }
    }

    // JSON string with every non-ASCII or control UTF-16 unit as \\uXXXX
    // (so lone surrogates survive).
    static String q(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    static String parseJsonString(String s) {
        StringBuilder sb = new StringBuilder();
        int i = s.indexOf('"') + 1;
        while (s.charAt(i) != '"') {
            char c = s.charAt(i++);
            if (c != '\\') { sb.append(c); continue; }
            char e = s.charAt(i++);
            switch (e) {
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'f': sb.append('\f'); break;
                case 'b': sb.append('\b'); break;
                case 'u': sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                default: sb.append(e);
            }
        }
        return sb.toString();
    }
}
