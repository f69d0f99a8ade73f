// scep-aes is micromdm's SCEP server (Debian's golang-github-micromdm-scep-dev, the library Debian's
// scepserver is built from) with one change: its replies are encrypted with AES instead of single DES. The
// pkcs7 library micromdm uses (go.mozilla.org/pkcs7) encrypts with its package-level
// ContentEncryptionAlgorithm, DES-CBC by default; this program sets it before serving. It binds to
// 127.0.0.1 only. tests/integration/test_scep_client.py builds it (GOPATH mode, /usr/share/gocode) and runs
// certos's client against it.
//
// Usage: scep-aes -depot DIR -port N [-challenge PW] [-cipher aes128|aes256] [-days N] [-ra-cert F -ra-key F]
// The depot is a file depot as `scepserver ca -init -depot DIR` creates it (ca.pem, ca.key). With -ra-cert and
// -ra-key (PEM, an RA certificate issued by the depot's CA) the server is an RA: GetCACert answers RA and CA
// certificates (a degenerate PKCS#7), requests are decrypted and replies signed with the RA's key, and the CA
// still issues.
package main

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/go-kit/kit/log"
	scepdepot "github.com/micromdm/scep/v2/depot"
	"github.com/micromdm/scep/v2/depot/file"
	scepserver "github.com/micromdm/scep/v2/server"
	"go.mozilla.org/pkcs7"
)

func main() {
	depotPath := flag.String("depot", "depot", "file depot with ca.pem and ca.key")
	port := flag.Int("port", 8080, "port to listen on (127.0.0.1 only)")
	challenge := flag.String("challenge", "", "static challenge password (empty: none required)")
	cipher := flag.String("cipher", "aes128", "reply cipher: aes128 or aes256")
	days := flag.Int("days", 365, "validity of issued certificates in days")
	raCertPath := flag.String("ra-cert", "", "RA certificate (PEM); with -ra-key the server is an RA")
	raKeyPath := flag.String("ra-key", "", "RA private key (PEM, PKCS#1 or PKCS#8 RSA)")
	flag.Parse()

	switch *cipher {
	case "aes128":
		pkcs7.ContentEncryptionAlgorithm = pkcs7.EncryptionAlgorithmAES128CBC
	case "aes256":
		pkcs7.ContentEncryptionAlgorithm = pkcs7.EncryptionAlgorithmAES256CBC
	default:
		fmt.Fprintf(os.Stderr, "scep-aes: unknown cipher %q\n", *cipher)
		os.Exit(2)
	}

	logger := log.NewLogfmtLogger(os.Stderr)
	depot, err := file.NewFileDepot(*depotPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "scep-aes:", err)
		os.Exit(1)
	}
	crts, key, err := depot.CA(nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "scep-aes:", err)
		os.Exit(1)
	}
	if len(crts) < 1 {
		fmt.Fprintln(os.Stderr, "scep-aes: no CA certificate in the depot")
		os.Exit(1)
	}
	var signer scepserver.CSRSigner = scepdepot.NewSigner(depot, scepdepot.WithValidityDays(*days),
		scepdepot.WithAllowRenewalDays(0))
	if *challenge != "" {
		signer = scepserver.ChallengeMiddleware(*challenge, signer)
	}
	crt, opts := crts[0], []scepserver.ServiceOption{scepserver.WithLogger(logger)}
	if *raCertPath != "" {
		ra, raKey, err := loadRA(*raCertPath, *raKeyPath)
		if err != nil {
			fmt.Fprintln(os.Stderr, "scep-aes:", err)
			os.Exit(1)
		}
		opts = append(opts, scepserver.WithAddlCA(crts[0]))
		crt, key = ra, raKey
	}
	svc, err := scepserver.NewService(crt, key, signer, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "scep-aes:", err)
		os.Exit(1)
	}
	svc = scepserver.NewLoggingService(log.With(logger, "component", "scep_service"), svc)
	endpoints := scepserver.MakeServerEndpoints(svc)
	handler := scepserver.MakeHTTPHandler(endpoints, svc, log.With(logger, "component", "http"))
	addr := fmt.Sprintf("127.0.0.1:%d", *port)
	logger.Log("msg", "listening", "addr", addr, "cipher", *cipher, "ra", *raCertPath != "")
	if err := http.ListenAndServe(addr, handler); err != nil {
		fmt.Fprintln(os.Stderr, "scep-aes:", err)
		os.Exit(1)
	}
}

// loadRA reads the RA's certificate and RSA key from PEM files.
func loadRA(certPath, keyPath string) (*x509.Certificate, *rsa.PrivateKey, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, nil, err
	}
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return nil, nil, fmt.Errorf("%s: no PEM certificate", certPath)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, err
	}
	block, _ = pem.Decode(keyPEM)
	if block == nil {
		return nil, nil, fmt.Errorf("%s: no PEM key", keyPath)
	}
	if strings.Contains(block.Type, "RSA") {
		key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		return cert, key, err
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, nil, err
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, nil, fmt.Errorf("%s: not an RSA key", keyPath)
	}
	return cert, key, nil
}
