
:
xPlaceholder*
dtype0*
shape:	

r
	AvgPool2DAvgPoolx*
data_formatNHWC*
strides
*
paddingSAME*
T0*
ksize

(
IdentityIdentity	AvgPool2D*
T0"ª