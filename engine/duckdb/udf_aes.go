package duckdb

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Spark's aes_encrypt/aes_decrypt: modes GCM (the default; a 12-byte IV
// before the ciphertext and its 16-byte tag, optional additional data),
// CBC (a 16-byte IV before the PKCS#5-padded ciphertext) and ECB (PKCS#5,
// no IV); keys of 16, 24 or 32 bytes. Arguments are binaries or strings
// (a string stands for its UTF-8 bytes, as Spark casts it).

type aesCall struct {
	input, key, iv, aad []byte
	mode, padding       string
}

// aesArgs reads (input, key[, mode[, padding[, iv[, aad]]]]) for
// encryption; decryption has no iv, its fifth argument is the aad.
func aesArgs(v []driver.Value, decrypt bool) (aesCall, error) {
	c := aesCall{mode: "GCM", padding: "DEFAULT"}
	c.input, c.key = asBytes(v[0]), asBytes(v[1])
	if len(v) > 2 {
		c.mode = strings.ToUpper(string(asBytes(v[2])))
	}
	if len(v) > 3 {
		c.padding = strings.ToUpper(string(asBytes(v[3])))
	}
	rest := v[min(len(v), 4):]
	if !decrypt && len(rest) > 0 {
		if c.iv = asBytes(rest[0]); len(c.iv) == 0 {
			c.iv = nil // an empty IV asks for a random one
		}
		rest = rest[1:]
	}
	if len(rest) > 0 {
		c.aad = asBytes(rest[0])
	}
	switch n := len(c.key); n {
	case 16, 24, 32:
	default:
		return c, fmt.Errorf("INVALID_PARAMETER_VALUE.AES_KEY_LENGTH: the key must be 16, 24 or 32 bytes long, not %d", n)
	}
	switch c.mode + "/" + c.padding {
	case "GCM/DEFAULT", "GCM/NONE", "CBC/DEFAULT", "CBC/PKCS", "ECB/DEFAULT", "ECB/PKCS":
	default:
		return c, fmt.Errorf("UNSUPPORTED_FEATURE.AES_MODE: AES-%s with the padding %s is not supported; use GCM, CBC or ECB", c.mode, c.padding)
	}
	if c.aad != nil && c.mode != "GCM" {
		return c, errors.New("UNSUPPORTED_FEATURE.AES_MODE_AAD: additional authenticated data is only supported with GCM")
	}
	return c, nil
}

func asBytes(v driver.Value) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	return []byte(fmt.Sprint(v))
}

func aesEncrypt(v []driver.Value) (any, error) {
	c, err := aesArgs(v, false)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(c.key)
	if err != nil {
		return nil, err
	}
	switch c.mode {
	case "GCM":
		g, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		iv, err := aesIV(c.iv, g.NonceSize())
		if err != nil {
			return nil, err
		}
		return g.Seal(iv, iv, c.input, c.aad), nil
	case "CBC":
		iv, err := aesIV(c.iv, aes.BlockSize)
		if err != nil {
			return nil, err
		}
		body := pkcs5(c.input)
		cipher.NewCBCEncrypter(block, iv).CryptBlocks(body, body)
		return append(iv, body...), nil
	}
	if c.iv != nil {
		return nil, errors.New("UNSUPPORTED_FEATURE.AES_MODE_IV: an IV is not supported with ECB")
	}
	body := pkcs5(c.input)
	for i := 0; i < len(body); i += aes.BlockSize {
		block.Encrypt(body[i:i+aes.BlockSize], body[i:i+aes.BlockSize])
	}
	return body, nil
}

// aesIV is the caller's IV, or a random one as Spark makes when none is given.
func aesIV(iv []byte, size int) ([]byte, error) {
	if iv == nil {
		iv = make([]byte, size)
		_, err := rand.Read(iv)
		return iv, err
	}
	if len(iv) != size {
		return nil, fmt.Errorf("INVALID_PARAMETER_VALUE.AES_IV_LENGTH: the IV must be %d bytes long, not %d", size, len(iv))
	}
	return append([]byte(nil), iv...), nil
}

func pkcs5(in []byte) []byte {
	pad := aes.BlockSize - len(in)%aes.BlockSize
	out := append(append([]byte(nil), in...), make([]byte, pad)...)
	for i := len(in); i < len(out); i++ {
		out[i] = byte(pad)
	}
	return out
}

var errAESDecrypt = errors.New("INVALID_PARAMETER_VALUE.AES_CRYPTO_ERROR: detail message: the input, key, mode or padding does not match how it was encrypted")

func aesDecrypt(v []driver.Value) (any, error) {
	c, err := aesArgs(v, true)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(c.key)
	if err != nil {
		return nil, err
	}
	in := c.input
	switch c.mode {
	case "GCM":
		g, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		if len(in) < g.NonceSize()+g.Overhead() {
			return nil, errAESDecrypt
		}
		out, err := g.Open(nil, in[:g.NonceSize()], in[g.NonceSize():], c.aad)
		if err != nil {
			return nil, errAESDecrypt
		}
		return out, nil
	case "CBC":
		if len(in) < 2*aes.BlockSize || len(in)%aes.BlockSize != 0 {
			return nil, errAESDecrypt
		}
		body := append([]byte(nil), in[aes.BlockSize:]...)
		cipher.NewCBCDecrypter(block, in[:aes.BlockSize]).CryptBlocks(body, body)
		return unpkcs5(body)
	}
	if len(in) == 0 || len(in)%aes.BlockSize != 0 {
		return nil, errAESDecrypt
	}
	body := append([]byte(nil), in...)
	for i := 0; i < len(body); i += aes.BlockSize {
		block.Decrypt(body[i:i+aes.BlockSize], body[i:i+aes.BlockSize])
	}
	return unpkcs5(body)
}

func unpkcs5(b []byte) ([]byte, error) {
	pad := int(b[len(b)-1])
	if pad == 0 || pad > aes.BlockSize {
		return nil, errAESDecrypt
	}
	for _, x := range b[len(b)-pad:] {
		if int(x) != pad {
			return nil, errAESDecrypt
		}
	}
	return b[:len(b)-pad], nil
}

func aesFunctions(d *duckTypes) map[string][]*goFunction {
	anyT, blob := d.of(duckdb.TYPE_ANY), d.of(duckdb.TYPE_BLOB)
	in := []duckdb.TypeInfo{anyT, anyT}
	try := func(v []driver.Value) (any, error) {
		out, err := aesDecrypt(v)
		if err != nil {
			return nil, nil
		}
		return out, nil
	}
	return map[string][]*goFunction{
		"aes_encrypt":     {{in: in, variadic: anyT, out: blob, volatile: true, fn: aesEncrypt}},
		"aes_decrypt":     {{in: in, variadic: anyT, out: blob, fn: aesDecrypt}},
		"try_aes_decrypt": {{in: in, variadic: anyT, out: blob, fn: try}},
	}
}
